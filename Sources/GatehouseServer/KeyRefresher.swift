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
    let gateway: Gateway
    let config: GatewayConfig
    let logger: Logger

    func run() async throws {
        // Keys given in the configuration never change while the gateway runs.
        guard config.keys.jwtPrivateKeyPEM == nil || config.keys.cookieSealingKey == nil else { return }
        let interval = Duration.seconds(config.keys.refreshSeconds)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                let keys = try await GrantKeys.load(
                    config.keys, stateDirectory: config.stateDirectory, shared: gateway.state?.sharedKeys)
                try await gateway.grants.use(keys)
            } catch {
                logger.warning("keys not reloaded", metadata: ["error": "\(String(describing: type(of: error)))"])
            }
        }
    }
}
