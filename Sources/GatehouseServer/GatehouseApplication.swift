import Dialects
import Foundation
import GatehouseCore
import Grants
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Stores
import UnixSignals

/// Builds the Hummingbird application for a configuration: the dialects, the proxy, JWKS, health,
/// readiness, metrics and the OpenAPI document, over HTTP/1.1 or, with `server.tls`, HTTPS with
/// HTTP/2 and HTTP/1.1 by ALPN.
public enum GatehouseApplication {
    public typealias App = Application<RouterResponder<GatewayRequestContext>>

    /// - Parameters:
    ///   - port: overrides `server.port` (0 picks a free port, for tests).
    ///   - configPath: the file SIGHUP reloads; no reload on SIGHUP without one.
    public static func make(
        config: GatewayConfig, port: Int? = nil, logger: Logger = Logger(label: "gatehouse"), configPath: String? = nil
    ) async throws -> App {
        try await makeRunning(config: config, port: port, logger: logger, configPath: configPath).app
    }

    /// The application and its running gateway, which `reload()`/`apply(_:)` swap.
    public static func makeRunning(
        config: GatewayConfig, port: Int? = nil, logger: Logger = Logger(label: "gatehouse"), configPath: String? = nil
    ) async throws -> (app: App, running: RunningGateway) {
        let gateway = try await Gateway.build(config, logger: logger)
        let running = RunningGateway(gateway: gateway, config: config, configPath: configPath, logger: logger)
        // HEAD of every GET route (load balancers check health with HEAD), as Hummingbird generates it.
        let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: DialectMiddleware(running: running))
        router.get(".well-known/jwks.json") { _, _ in
            // Made on each request: a rotation changes it while the gateway runs.
            WireResponse(status: 200, headers: WireHeaders([("Content-Type", "application/json")]), body: running.gateway.grants.jwksDocument())
                .hummingbirdResponse
        }
        router.get("healthz") { _, _ in
            WireResponse.json(200, .object([("status", .string("ok"))])).hummingbirdResponse
        }
        router.get("readyz") { _, _ in
            await Readiness.check(running).hummingbirdResponse
        }
        router.get("metrics") { _, _ in
            WireResponse(
                status: 200, headers: WireHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]),
                body: running.gateway.metrics.render()
            ).hummingbirdResponse
        }
        router.get("openapi.json") { _, _ in
            WireResponse(status: 200, headers: WireHeaders([("Content-Type", "application/json")]), body: PackageResources.openapi_json)
                .hummingbirdResponse
        }
        var services: [any Service] = [StoreCloser(state: gateway.state), KeyRefresher(running: running, logger: logger)]
        if configPath != nil { services.append(Reloader(running: running, logger: logger)) }
        let app = Application(
            router: router,
            server: try serverBuilder(config.server, running: running, logger: logger),
            configuration: .init(address: .hostname(config.server.host, port: port ?? config.server.port), serverName: "Gatehouse"),
            services: services,
            logger: logger)
        return (app, running)
    }

    /// Plain HTTP/1.1 with the proxy's event-loop data path (`ProxyChannelHandler`), or TLS with HTTP/2 and
    /// HTTP/1.1 offered by ALPN, where proxied requests take Hummingbird's path (`ProxyResponder`).
    static func serverBuilder(_ server: ServerSettings, running: RunningGateway, logger: Logger) throws -> HTTPServerBuilder {
        let idle = TimeAmount.seconds(Int64(server.idleTimeoutSeconds))
        guard let tls = server.tls else {
            let connections = UpstreamConnections()
            return HTTPServerBuilder { responder in
                GatehouseHTTP1Channel(responder: responder, running: running, connections: connections, idleTimeout: idle, logger: logger)
            }
        }
        let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificateFile)
        let key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        return try .http2Upgrade(
            tlsConfiguration: configuration,
            configuration: .init(
                idleTimeout: .seconds(server.idleTimeoutSeconds),
                streamConfiguration: .init(additionalChannelHandlers: [ContinueHandler()], idleTimeout: idle)))
    }
}

/// `/readyz`: ready when the configuration is loaded and the store answers `SELECT 1` within
/// `store.timeoutSeconds`; 503 otherwise, naming the check that failed.
enum Readiness {
    static func check(_ running: RunningGateway) async -> WireResponse {
        var storeOK = true
        if let state = running.gateway.state {
            do {
                try await state.ping()
            } catch {
                storeOK = false
            }
        }
        let checks = JSONValue.object([
            ("store", .string(storeOK ? "ok" : "unreachable")),
            ("configuration", .string("ok")),
        ])
        let body = JSONValue.object([("status", .string(storeOK ? "ready" : "unavailable")), ("checks", checks)])
        return .json(storeOK ? 200 : 503, body, headers: [("Cache-Control", "no-store")])
    }
}

/// Reloads the configuration file on SIGHUP (what `gatehouse reload` sends).
struct Reloader: Service {
    let running: RunningGateway
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading the configuration")
            await running.reload()
        }
    }
}
