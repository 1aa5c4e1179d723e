import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Proxy

/// Answers the forward-auth endpoints (`/authz/auth-request`, `/authz/forward-auth`,
/// `/authz/ext-authz/…`) for nginx, Traefik, Caddy, HAProxy or Envoy in front of the legacy
/// services: the request's artifacts read as the proxy reads them, the original request's route
/// policy applied as the proxy applies it. Its body, if any, is never read.
enum ForwardAuthResponder {
    static func respond(
        _ request: Request, convention: ForwardAuthConvention, proxy: ReverseProxy, context: GatewayRequestContext, requestID: String,
        logger: Logger
    ) async -> Response {
        var headers: [(String, String)] = request.headers.map { ($0.name.rawName, $0.value) }
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        let check = ProxyRequestHead(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query, headers: headers,
            clientAddress: context.remoteAddress?.ipAddress, requestID: requestID)
        let caller: ProxyCaller
        if let known = proxy.knownCaller(headers) {
            caller = known
        } else {
            do {
                caller = try await proxy.resolveCaller(headers)
            } catch {
                logger.error("grant store failed", metadata: ["route": "authz"])
                return response(.storeUnavailable, requestID: requestID)
            }
        }
        let (answer, route) = proxy.forwardAuthAnswer(check, convention: convention, caller: caller, logger: logger)
        if let answer { return response(answer, requestID: requestID) }
        let assertion = if let grant = caller.grant { await proxy.makeAssertion(for: grant) } else { String?.none }
        let allowed = proxy.allowedHeaders(caller: caller, route: route, assertion: assertion)
        return response(ProxyAnswer(status: 200, headers: allowed, body: []), requestID: requestID)
    }

    private static func response(_ answer: ProxyAnswer, requestID: String) -> Response {
        var fields = ProxyResponder.fieldsOf(answer.headers)
        fields.append(HTTPField(name: DialectMiddleware.requestIDField, value: requestID))
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
