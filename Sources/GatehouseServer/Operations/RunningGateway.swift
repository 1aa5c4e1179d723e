import Foundation
import GatehouseCore
import Logging
import Synchronization

/// The gateway requests are answered by now, and the configuration it was built from; a reload swaps
/// both at once. A request takes the gateway once when it starts and finishes on it, so nothing in
/// flight sees half of a reload.
public final class RunningGateway: Sendable {
    private struct Current: Sendable {
        var gateway: Gateway
        var config: GatewayConfig
    }

    private let current: Mutex<Current>
    /// Where `reload()` reads from: the file `gatehouse serve --config` named (nil in tests that build in memory).
    let configPath: String?
    let logger: Logger
    /// Set once the configuration is loaded and the gateway built (readiness reports it).
    public var gateway: Gateway { current.withLock { $0.gateway } }
    public var config: GatewayConfig { current.withLock { $0.config } }

    init(gateway: Gateway, config: GatewayConfig, configPath: String?, logger: Logger) {
        self.current = Mutex(Current(gateway: gateway, config: config))
        self.configPath = configPath
        self.logger = logger
    }

    /// Reads `configPath` again and, when it is valid, answers from it on: grants, keys, the store and
    /// every open connection are kept. A file that does not parse or validate is logged, key by key,
    /// and the running configuration stays.
    @discardableResult
    public func reload() async -> Bool {
        guard let configPath else { return false }
        guard let data = FileManager.default.contents(atPath: configPath) else {
            logger.error("configuration not reloaded", metadata: ["reason": "unreadable", "file": "\(configPath)"])
            return false
        }
        do {
            let config = try GatewayConfig.parse(Array(data))
            try await apply(config)
            return true
        } catch let error as ConfigError {
            for issue in error.issues {
                logger.error("configuration not reloaded", metadata: ["reason": "invalid", "key": "\(issue.path)", "problem": "\(issue.message)"])
            }
            return false
        } catch {
            logger.error("configuration not reloaded", metadata: ["reason": "\(String(describing: type(of: error)))"])
            return false
        }
    }

    /// Builds a gateway for `config` on the running store and metrics and swaps it in.
    /// - Throws: `ConfigError` (the running configuration stays).
    public func apply(_ config: GatewayConfig) async throws {
        try Gateway.validate(config)
        let running = current.withLock { $0 }
        let gateway = try await Gateway.build(config, logger: logger, state: running.gateway.state, metrics: running.gateway.metrics)
        current.withLock { $0 = Current(gateway: gateway, config: config) }
        let restart = Self.restartOnly(running.config, config)
        if !restart.isEmpty {
            logger.warning("configuration reloaded; these keys take effect at the next start", metadata: ["keys": "\(restart.joined(separator: ","))"])
        }
        logger.info("configuration reloaded", metadata: [
            "routes": .stringConvertible(config.routes.count), "authenticators": .stringConvertible(config.authenticators.count),
        ])
    }

    /// Keys a running server cannot change: its socket, TLS, state store and shutdown grace.
    static func restartOnly(_ old: GatewayConfig, _ new: GatewayConfig) -> [String] {
        var keys: [String] = []
        if old.server.host != new.server.host { keys.append("server.host") }
        if old.server.port != new.server.port { keys.append("server.port") }
        if old.server.tls != new.server.tls { keys.append("server.tls") }
        if old.server.idleTimeoutSeconds != new.server.idleTimeoutSeconds { keys.append("server.idleTimeoutSeconds") }
        if old.server.shutdownGraceSeconds != new.server.shutdownGraceSeconds { keys.append("server.shutdownGraceSeconds") }
        if old.stateDirectory != new.stateDirectory { keys.append("stateDirectory") }
        if old.store != new.store { keys.append("store") }
        return keys
    }
}
