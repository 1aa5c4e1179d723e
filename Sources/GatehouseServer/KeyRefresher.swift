import Foundation
import GatehouseCore
import Grants
import Logging
import ServiceLifecycle
import Stores

/// Reloads the stored keys every `keys.refreshSeconds`, so a running gatehouse picks up
/// `gatehouse keys rotate` (run anywhere, on the same state directory or database) and starts signing
/// with a new key once its time comes. A store that cannot be read leaves the keys in use as they are.
struct KeyRefresher: Service {
    let running: RunningGateway
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let config = running.config
            do {
                // A shutdown does not wait out the interval.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(config.keys.refreshSeconds)) }
            } catch {
                return
            }
            // Keys given in the configuration never change while the gateway runs.
            guard config.keys.jwtPrivateKeyPEM == nil || config.keys.cookieSealingKey == nil else { continue }
            let gateway = running.gateway
            do {
                let keys = try await GrantKeys.load(config.keys, stateDirectory: config.stateDirectory, shared: gateway.state?.sharedKeys)
                try await gateway.grants.use(keys)
            } catch {
                logger.warning("keys not reloaded", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
        }
    }
}
