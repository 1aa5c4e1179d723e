import Dialects
import Foundation
import GatehouseCore
import Grants
import Hummingbird
import Logging

/// Builds the Hummingbird application for a configuration: the dialects, JWKS and health.
public enum GatehouseApplication {
    /// - Parameter port: overrides `server.port` (0 picks a free port, for tests).
    public static func make(
        config: GatewayConfig, port: Int? = nil, logger: Logger = Logger(label: "gatehouse")
    ) async throws -> some ApplicationProtocol {
        let gateway = try await Gateway.build(config, logger: logger)
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: DialectMiddleware(gateway: gateway, maxBodyBytes: config.server.maxBodyBytes))
        router.get(".well-known/jwks.json") { _, _ in
            // Made on each request: a rotation changes it while the gateway runs.
            WireResponse(status: 200, headers: WireHeaders([("Content-Type", "application/json")]), body: gateway.grants.jwksDocument())
                .hummingbirdResponse
        }
        router.get("healthz") { _, _ in
            WireResponse.json(200, .object([("status", .string("ok"))])).hummingbirdResponse
        }
        return Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [ContinueHandler()], idleTimeout: .seconds(Int64(config.server.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(config.server.host, port: port ?? config.server.port), serverName: "Gatehouse"),
            services: [StoreCloser(state: gateway.state), KeyRefresher(gateway: gateway, config: config, logger: logger)],
            logger: logger)
    }
}
