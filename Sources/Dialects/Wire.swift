import GatehouseCore

/// HTTP headers as a dialect sees them: ordered, names matched without regard to case.
public struct WireHeaders: Sendable, Equatable, Sequence {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(String, String)] = []) {
        self.entries = entries.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: WireHeaders, rhs: WireHeaders) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.value == $1.value }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }

    /// The first value of header `name`.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return entries.first { $0.name.lowercased() == lowered }?.value
    }

    /// Every value of header `name`, in order.
    public func values(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return entries.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        entries.append((name: name, value: value))
    }

    /// The headers as plain pairs, for `PresentedArtifacts`.
    public var pairs: [(String, String)] { entries.map { ($0.name, $0.value) } }

    /// The request's cookies, first occurrence of each name winning, values unquoted (`PresentedArtifacts.cookies`).
    public var cookies: [String: String] { PresentedArtifacts.cookies(in: pairs) }

    /// The token of `Authorization: Bearer <token>`, if that is the scheme (`PresentedArtifacts.bearerToken`).
    public var bearerToken: String? { self["Authorization"].flatMap(PresentedArtifacts.bearerToken) }

    /// The media type of `Content-Type`, lower-cased, without parameters.
    public var mediaType: String? {
        guard let value = self["Content-Type"] else { return nil }
        return value.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() }
    }
}

/// An HTTP request as a dialect sees it: no framework types, the body already collected.
public struct WireRequest: Sendable {
    /// Upper-case method (`POST`).
    public var method: String
    /// The path, without the query, still percent-encoded.
    public var path: String
    /// Query parameters, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    public var headers: WireHeaders
    public var body: [UInt8]
    /// The body went past the server's limit and was not read; `body` is empty.
    public var bodyTooLarge: Bool
    public var remoteAddress: String?

    public init(
        method: String, path: String, query: [(String, String)] = [], headers: WireHeaders = WireHeaders(),
        body: [UInt8] = [], bodyTooLarge: Bool = false, remoteAddress: String? = nil
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query.map { (name: $0.0, value: $0.1) }
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.remoteAddress = remoteAddress
    }

    /// Builds a request from a target such as `/auth?format=json`.
    public init(method: String, target: String, headers: WireHeaders = WireHeaders(), body: [UInt8] = []) {
        let (path, query) = splitTarget(target)
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    /// The first query parameter `name` (matched without regard to case, as ASP.NET binds).
    public func queryValue(_ name: String) -> String? {
        let lowered = name.lowercased()
        return query.first { $0.name.lowercased() == lowered }?.value
    }

    /// The host the caller addressed, without the port.
    public var host: String? {
        guard let host = headers["Host"], !host.isEmpty else { return nil }
        if host.hasPrefix("[") { return host.split(separator: "]").first.map { String($0) + "]" } }
        return host.split(separator: ":").first.map(String.init)
    }

    /// Client context common to all dialects.
    public var clientContext: ClientContext {
        ClientContext(address: remoteAddress, userAgent: headers["User-Agent"])
    }
}

/// An HTTP response a dialect produced: status, ordered headers, body bytes.
public struct WireResponse: Sendable, Equatable {
    public var status: Int
    public var headers: WireHeaders
    public var body: [UInt8]

    public init(status: Int, headers: WireHeaders = WireHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer with `Content-Type: application/json; charset=utf-8`.
    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> WireResponse {
        var h = WireHeaders([("Content-Type", "application/json; charset=utf-8")])
        for (name, value) in headers { h.add(name, value) }
        return WireResponse(status: status, headers: h, body: value.bytes)
    }

    /// The body as text (tests and logs).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// For every answer that carries a token or a session cookie: no cache, shared or private, may
    /// keep it (RFC 9111 §5.2.2.5), so a proxy can never hand one caller's session to another.
    static let noStore = ("Cache-Control", "no-store")
}

/// Splits `path?query` and decodes the query.
public func splitTarget(_ target: String) -> (String, [(String, String)]) {
    guard let q = target.firstIndex(of: "?") else { return (target, []) }
    return (String(target[..<q]), parseFormEncoded(Substring(target[target.index(after: q)...])))
}

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space).
public func parseFormEncoded(_ text: Substring) -> [(String, String)] {
    text.split(separator: "&").compactMap { pair -> (String, String)? in
        guard !pair.isEmpty else { return nil }
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = percentDecode(parts[0])
        let value = parts.count > 1 ? percentDecode(parts[1]) : ""
        return (name, value)
    }
}

/// Percent-decodes a form component; malformed escapes are kept as they are.
public func percentDecode(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = Array(text.utf8)[...]
    while let byte = iterator.popFirst() {
        switch byte {
        case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
        case UInt8(ascii: "%"):
            if iterator.count >= 2, let hi = iterator[iterator.startIndex].asciiHexValue,
                let lo = iterator[iterator.startIndex + 1].asciiHexValue
            {
                bytes.append(hi << 4 | lo)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        default: bytes.append(byte)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        let s = Substring(self)
        guard let start = s.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = s.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return s[start...end]
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A finished error answer can travel as the failure of a decoding step (`Result<…, WireResponse>`).
extension WireResponse: Error {}
