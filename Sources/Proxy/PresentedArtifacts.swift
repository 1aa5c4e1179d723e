import GatehouseCore

/// The sign-in artifacts a proxied request carries, of any dialect.
enum PresentedArtifacts {
    /// Cookie names Gatehouse issues; they are read here and never passed upstream.
    static let gatehouseCookies: Set<String> = [".AspNet.ApplicationCookie", "ss-id", "ss-pid", "ss-opt", "ss-tok", "ss-reftok"]

    /// Headers that carry a ServiceStack session id, as ServiceStack reads them; never passed upstream.
    static let sessionHeaders: Set<String> = ["x-ss-id", "x-ss-pid"]

    /// Candidates in the order they are tried: bearer, `X-ss-id`, the cookies (ASP.NET, ServiceStack), `X-ss-pid`.
    static func find(in headers: [(String, String)]) -> [PresentedArtifact] {
        var found: [PresentedArtifact] = []
        for (name, value) in headers where name.equalsIgnoringASCIICase("authorization") {
            if let token = bearerToken(value) { found.append(.bearer(token)) }
        }
        for (name, value) in headers where name.equalsIgnoringASCIICase("x-ss-id") && !value.isEmpty {
            found.append(.serviceStackSession(value))
        }
        for (name, value) in cookies(in: headers) {
            switch name {
            case ".AspNet.ApplicationCookie": found.append(.applicationCookie(value))
            case "ss-id", "ss-pid": found.append(.serviceStackSession(value))
            case "ss-tok": found.append(.bearer(value))
            default: break
            }
        }
        for (name, value) in headers where name.equalsIgnoringASCIICase("x-ss-pid") && !value.isEmpty {
            found.append(.serviceStackSession(value))
        }
        return found
    }

    /// The token of `Bearer <token>` (scheme in any case), nil for other schemes.
    static func bearerToken(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].equalsIgnoringASCIICase("bearer") else { return nil }
        let token = parts[1].trimmingSpacesAndTabs()
        return token.isEmpty ? nil : token
    }

    /// Every `name=value` pair of every `Cookie` header, in order.
    static func cookies(in headers: [(String, String)]) -> [(String, String)] {
        headers.filter { $0.0.equalsIgnoringASCIICase("cookie") }.flatMap { _, value in
            value.split(separator: ";").compactMap { pair -> (String, String)? in
                let pair = pair.trimmingSpacesAndTabs()
                guard let equals = pair.firstIndex(of: "=") else { return nil }
                return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
            }
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Foundation-free; byte-wise, as both are ASCII).
    func trimmingSpacesAndTabs() -> String {
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let text = Substring(self)
        guard let start = text.utf8.firstIndex(where: { !isBlank($0) }), let end = text.utf8.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[start...end])
    }

    /// Whether the text equals `lowercased` when ASCII letters are compared without case; for header
    /// names and schemes, without allocating a lower-cased copy.
    func equalsIgnoringASCIICase(_ lowercased: String) -> Bool {
        guard utf8.count == lowercased.utf8.count else { return false }
        return zip(utf8, lowercased.utf8).allSatisfy { byte, lower in byte.lowercasedASCII == lower }
    }

    /// Whether the UTF-8 of the text starts with that of `prefix`, ASCII letters compared without case.
    func hasPrefixIgnoringASCIICase(_ prefix: some StringProtocol) -> Bool {
        utf8.count >= prefix.utf8.count
            && zip(utf8, prefix.utf8).allSatisfy { $0.lowercasedASCII == $1.lowercasedASCII }
    }
}

extension UInt8 {
    /// The byte with an ASCII capital letter made small; any other byte as it is.
    var lowercasedASCII: UInt8 {
        UInt8(ascii: "A")...UInt8(ascii: "Z") ~= self ? self | 0x20 : self
    }
}
