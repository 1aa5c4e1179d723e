import Dialects
import Hummingbird
import Logging

/// Offers every request to the dialects first; what none of them claims goes on to the router.
struct DialectMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let wire = await WireRequest.collect(request, remoteAddress: context.remoteAddress, maxBodyBytes: maxBodyBytes)
        if let response = await gateway.respond(to: wire, logger: context.logger) {
            return response.hummingbirdResponse
        }
        var request = request
        request.body = .init(buffer: .init(bytes: wire.body))
        return try await next(request, context)
    }
}
