import Dialects
import Foundation
import GatehouseCore
import Hummingbird
import HTTPTypes
import Logging
import Proxy

/// Offers every request to the dialects first; what none of them claims goes on to the router.
struct DialectMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        // Every log line of a request carries its id; a caller's own id is kept when it is a sane token.
        let requestID = request.headers[Self.requestIDField].flatMap(Self.saneRequestID) ?? RequestID.make()
        let logger = context.logger
        let claim = gateway.claim(method: request.method.rawValue, path: path)
        // Not a sign-in endpoint: a proxied route (its body streamed, never collected here), else the
        // dialect's own "not found" or the router.
        if claim != .endpoint, let proxy = gateway.proxy, !Gateway.reservedPaths.contains(path),
            let route = proxy.route(method: request.method.rawValue, host: request.head.authority, path: path)
        {
            return await RequestLogContext.$requestID.withValue(requestID) {
                await ProxyResponder.respond(request, route: route, proxy: proxy, context: context, requestID: requestID, logger: logger)
            }
        }
        guard claim != .none else { return try await next(request, context) }
        ExpectContinue.requestBody(of: request, on: context.channel)
        let wire = await WireRequest.collect(request, remoteAddress: context.remoteAddress, maxBodyBytes: maxBodyBytes)
        let answer = await RequestLogContext.$requestID.withValue(requestID) {
            await gateway.respond(to: wire, logger: logger)
        }
        if var response = answer {
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
