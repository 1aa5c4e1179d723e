/// A short answer Gatehouse gives itself instead of the upstream's (401, 403, 302, 4xx, 5xx).
public struct ProxyAnswer: Sendable, Equatable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public static func == (lhs: ProxyAnswer, rhs: ProxyAnswer) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }

    static func json(_ status: Int, error: String, message: String, headers: [(String, String)] = []) -> ProxyAnswer {
        // Constant texts only: nothing a caller sent is echoed back.
        let body = #"{"error":"\#(error)","message":"\#(message)"}"#
        return ProxyAnswer(status: status, headers: headers + [("Content-Type", "application/json; charset=utf-8")], body: Array(body.utf8))
    }

    static let unauthorized = json(
        401, error: "unauthorized", message: "A valid sign-in is required.",
        headers: [("WWW-Authenticate", #"Bearer realm="gatehouse""#)])
    static let forbidden = json(403, error: "forbidden", message: "Your sign-in lacks a role this route requires.")
    static let badPath = json(400, error: "bad_request", message: "The path may not contain dot segments.")
    static let badGateway = json(502, error: "bad_gateway", message: "The upstream service could not be reached.")
    static let gatewayTimeout = json(504, error: "gateway_timeout", message: "The upstream service did not answer in time.")

    /// 302 to the sign-in page, with where to come back to as `ReturnUrl` (ASP.NET's name for it).
    static func signIn(page: String, returnURL: String) -> ProxyAnswer {
        let separator = page.contains("?") ? "&" : "?"
        let location = page + separator + "ReturnUrl=" + percentEncoded(returnURL)
        return ProxyAnswer(status: 302, headers: [("Location", location), ("Cache-Control", "no-store")], body: [])
    }

    /// Everything but RFC 3986 unreserved characters percent-encoded (a query value).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }
}
