import Dialects
import Foundation
import GatehouseCore
import Hummingbird
import HTTPTypes
import Logging
import Proxy

/// Offers every request to the dialects first; what none of them claims goes on to the router.
/// Writes the access line of every request.
struct DialectMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let running: RunningGateway

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        // Every log line of a request carries its id; a caller's own id is kept when it is a sane token.
        let requestID = request.headers[Self.requestIDField].flatMap(Self.saneRequestID) ?? RequestID.make()
        // One gateway for the whole request, even when a reload swaps it meanwhile.
        let gateway = running.gateway
        var route = "gatehouse"
        do {
            let response = try await RequestLogContext.$requestID.withValue(requestID) {
                try await dispatch(request, context: context, gateway: gateway, requestID: requestID, route: &route, next: next)
            }
            AccessLog.write(request, status: response.status.code, route: route, requestID: requestID, since: started, logger: context.logger)
            return response
        } catch {
            // The router's own answers (404, 405) come as errors Hummingbird turns into responses.
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            AccessLog.write(request, status: status, route: route, requestID: requestID, since: started, logger: context.logger)
            throw error
        }
    }

    private func dispatch(
        _ request: Request, context: Context, gateway: Gateway, requestID: String, route: inout String,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let logger = context.logger
        if let convention = ForwardAuthConvention(path: path), let proxy = gateway.proxy {
            route = "authz"
            return await ForwardAuthResponder.respond(
                request, convention: convention, proxy: proxy, context: context, requestID: requestID, logger: logger)
        }
        let claim = gateway.claim(method: request.method.rawValue, path: path)
        // Not a sign-in endpoint: a proxied route (its body streamed, never collected here), else the
        // dialect's own "not found" or the router.
        if claim != .endpoint, let proxy = gateway.proxy, !Gateway.reservedPaths.contains(path),
            let proxied = proxy.route(method: request.method.rawValue, host: request.head.authority, path: path)
        {
            route = proxied.settings.name
            return await ProxyResponder.respond(
                request, route: proxied, proxy: proxy, context: context, requestID: requestID, metrics: gateway.metrics, logger: logger)
        }
        guard claim != .none else { return try await next(request, context) }
        ExpectContinue.requestBody(of: request, on: context.channel)
        let wire = await WireRequest.collect(request, remoteAddress: context.remoteAddress, maxBodyBytes: running.config.server.maxBodyBytes)
        if let (answer, dialect) = await gateway.answer(wire, logger: logger) {
            var response = answer
            route = "dialect:" + dialect.rawValue
            response.headers.add("X-Request-Id", requestID)
            return response.hummingbirdResponse
        }
        var request = request
        request.body = .init(buffer: .init(bytes: wire.body))
        return try await next(request, context)
    }

    static let requestIDField = HTTPField.Name("X-Request-Id")!

    /// A caller-supplied request id, if it is short and made of token characters (it ends up in logs).
    static func saneRequestID(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") })
        else { return nil }
        return value
    }
}

/// The access line: one `info` line per request, written when its response head is ready (a streamed
/// body's transfer time is not in `duration_ms`). The path never carries its query: tokens travel in
/// query strings (ServiceStack's `?ss-tok=`, BaaS links) and must not reach a log.
enum AccessLog {
    static func write(_ request: Request, status: Int, route: String, requestID: String, since started: ContinuousClock.Instant, logger: Logger) {
        write(method: request.method.rawValue, path: request.uri.path, status: status, route: route, requestID: requestID, since: started, logger: logger)
    }

    static func write(
        method: String, path: String, status: Int, route: String, requestID: String, since started: ContinuousClock.Instant, logger: Logger
    ) {
        logger.info("request", metadata: [
            "event": "access",
            "method": "\(method)",
            "path": "\(path)",
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible(Audit.milliseconds(ContinuousClock.now - started)),
            "route": "\(route)",
            "request_id": "\(requestID)",
        ])
    }
}
