import GatehouseCore

/// A short answer Gatehouse gives itself instead of the upstream's (401, 403, 302, 4xx, 5xx).
public struct ProxyAnswer: Sendable, Equatable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: ProxyAnswer, rhs: ProxyAnswer) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }

    static func json(_ status: Int, error: String, message: String, headers: [(String, String)] = []) -> ProxyAnswer {
        // Constant texts only: nothing a caller sent is echoed back.
        let body = #"{"error":"\#(error)","message":"\#(message)"}"#
        return ProxyAnswer(status: status, headers: headers + [("Content-Type", "application/json; charset=utf-8")], body: Array(body.utf8))
    }

    public static let unauthorized = json(
        401, error: "unauthorized", message: "A valid sign-in is required.",
        headers: [("WWW-Authenticate", #"Bearer realm="gatehouse""#)])
    public static let forbidden = json(403, error: "forbidden", message: "Your sign-in lacks a role this route requires.")
    /// Forward auth with `authz.defaultPolicy` `deny`, for a request no route matches.
    public static let noRoute = json(403, error: "forbidden", message: "No route lets this request through.")
    public static let badPath = json(
        400, error: "bad_request", message: "The path may not contain dot segments, encoded slashes or malformed escapes.")
    public static let duplicateHost = json(400, error: "bad_request", message: "A request carries exactly one Host.")
    /// HTTP/1.1 without `Host` (RFC 9112 §3.2).
    public static let missingHost = json(400, error: "bad_request", message: "An HTTP/1.1 request carries a Host.")
    /// A body whose framing cannot be read: a transfer coding other than `chunked`, or a bad chunk (RFC 9112 §6.3).
    public static let badFraming = json(
        400, error: "bad_request", message: "The request body is framed by Content-Length or chunked transfer coding alone.")
    public static let storeUnavailable = json(503, error: "service_unavailable", message: "Sign-ins cannot be checked right now.")
    public static let badGateway = json(502, error: "bad_gateway", message: "The upstream service could not be reached.")
    public static let gatewayTimeout = json(504, error: "gateway_timeout", message: "The upstream service did not answer in time.")

    /// 302 to the sign-in page, with where to come back to as `ReturnUrl` (ASP.NET's name for it).
    public static func signIn(page: String, returnURL: String) -> ProxyAnswer {
        let separator = page.contains("?") ? "&" : "?"
        let location = page + separator + "ReturnUrl=" + percentEncode(returnURL)
        return ProxyAnswer(status: 302, headers: [("Location", location), ("Cache-Control", "no-store")], body: [])
    }
}
