import Foundation

/// What a request presents to prove an earlier sign-in, read one way for every part of Gatehouse:
/// the dialects' doors (session, sign-out), the reverse proxy and forward auth.
///
/// The order, which decides whose session a request is in when it carries several:
/// 1. `X-ss-id` — a header a client sets on purpose (ServiceStack reads it before its cookies);
/// 2. `Authorization: Bearer` — a Gatehouse JWT, a partner JWT, a BaaS session token or an `ss-id`;
/// 3. the `ss-tok` cookie (ServiceStack's JWT cookie);
/// 4. the `.AspNet.ApplicationCookie` cookie;
/// 5. the `ss-id`, then the `ss-pid` cookie;
/// 6. `X-ss-pid`.
/// Headers are taken in the order sent, a cookie name at its first occurrence (RFC 6265 §5.4);
/// a cookie value in double quotes is read without them (RFC 6265 §4.1.1); empty values are skipped.
public enum PresentedArtifacts {
    /// Cookie names Gatehouse issues; they are read here and never passed upstream.
    public static let gatehouseCookies: Set<String> = [".AspNet.ApplicationCookie", "ss-id", "ss-pid", "ss-opt", "ss-tok", "ss-reftok"]

    /// Headers that carry a ServiceStack session id, as ServiceStack reads them; never passed upstream.
    public static let sessionHeaders: Set<String> = ["x-ss-id", "x-ss-pid"]

    /// Whether `find(in:)` reads a header of this name: two requests whose headers of these names are the
    /// same, in the same order, present the same artifacts.
    public static func reads(header name: String) -> Bool {
        name.equalsIgnoringASCIICase("authorization") || name.equalsIgnoringASCIICase("cookie")
            || name.equalsIgnoringASCIICase("x-ss-id") || name.equalsIgnoringASCIICase("x-ss-pid")
    }

    /// Every artifact `headers` present, in the order above.
    public static func find(in headers: [(String, String)]) -> [PresentedArtifact] {
        var found: [PresentedArtifact] = []
        for (name, value) in headers where name.equalsIgnoringASCIICase("x-ss-id") && !value.isEmpty {
            found.append(.serviceStackSession(value))
        }
        for (name, value) in headers where name.equalsIgnoringASCIICase("authorization") {
            if let token = bearerToken(value) { found.append(.bearer(token)) }
        }
        if headers.contains(where: { $0.0.equalsIgnoringASCIICase("cookie") }) {
            let jar = cookies(in: headers)
            if let token = jar["ss-tok"] { found.append(.bearer(token)) }
            if let ticket = jar[".AspNet.ApplicationCookie"] { found.append(.applicationCookie(ticket)) }
            if let id = jar["ss-id"] { found.append(.serviceStackSession(id)) }
            if let id = jar["ss-pid"] { found.append(.serviceStackSession(id)) }
        }
        for (name, value) in headers where name.equalsIgnoringASCIICase("x-ss-pid") && !value.isEmpty {
            found.append(.serviceStackSession(value))
        }
        return found
    }

    /// The token of `Bearer <token>` (scheme in any case), nil for other schemes.
    public static func bearerToken(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].equalsIgnoringASCIICase("bearer") else { return nil }
        let token = parts[1].trimmingSpacesAndTabs()
        return token.isEmpty ? nil : token
    }

    /// The request's cookies by name, the first occurrence of each winning, values unquoted; empty
    /// values left out.
    public static func cookies(in headers: [(String, String)]) -> [String: String] {
        var jar: [String: String] = [:]
        for (name, value) in cookiePairs(in: headers) where jar[name] == nil {
            let unquoted = unquotedCookieValue(value)
            if !unquoted.isEmpty { jar[name] = unquoted }
        }
        return jar
    }

    /// Every `name=value` pair of every `Cookie` header, in order, values as sent: what the proxy
    /// passes on.
    public static func cookiePairs(in headers: [(String, String)]) -> [(String, String)] {
        headers.filter { $0.0.equalsIgnoringASCIICase("cookie") }.flatMap { _, value in
            value.split(separator: ";").compactMap { pair -> (String, String)? in
                let pair = pair.trimmingSpacesAndTabs()
                guard let equals = pair.firstIndex(of: "=") else { return nil }
                return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
            }
        }
    }

    /// A cookie value without the double quotes RFC 6265's `cookie-value` allows around it.
    public static func unquotedCookieValue(_ value: String) -> String {
        guard value.utf8.count >= 2, value.utf8.first == UInt8(ascii: "\""), value.utf8.last == UInt8(ascii: "\"") else { return value }
        return String(value.dropFirst().dropLast())
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Foundation-free; byte-wise, as both are ASCII).
    @inlinable
    package func trimmingSpacesAndTabs() -> String {
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let text = Substring(self)
        guard let start = text.utf8.firstIndex(where: { !isBlank($0) }), let end = text.utf8.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[start...end])
    }

    /// Whether the text equals `lowercased` when ASCII letters are compared without case; for header
    /// names and schemes, without allocating a lower-cased copy.
    @inlinable
    package func equalsIgnoringASCIICase(_ lowercased: String) -> Bool {
        guard utf8.count == lowercased.utf8.count else { return false }
        // Native strings are contiguous: compared as two buffers (zip over two UTF8Views was 1% of a
        // proxied request's user cycles: the proxy compares every header name a few times).
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            lowercased.utf8.withContiguousStorageIfAvailable { theirs in
                for index in mine.indices where mine[index].lowercasedASCII != theirs[index] { return false }
                return true
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        return zip(utf8, lowercased.utf8).allSatisfy { byte, lower in byte.lowercasedASCII == lower }
    }

    /// Whether the UTF-8 of the text starts with that of `prefix`, ASCII letters compared without case.
    @inlinable
    package func hasPrefixIgnoringASCIICase(_ prefix: some StringProtocol) -> Bool {
        utf8.count >= prefix.utf8.count
            && zip(utf8, prefix.utf8).allSatisfy { $0.lowercasedASCII == $1.lowercasedASCII }
    }
}

extension String {
    /// Whether the text is `other` byte for byte. `==` is not: it holds for canonically equivalent
    /// texts in different bytes, which a header compared to decide what to reuse must not be.
    @inlinable
    package func isByteForByte(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        // memcmp: a byte loop over a 500-byte token was 2.5% of a proxied request's user cycles.
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in
                guard let left = mine.baseAddress, let right = theirs.baseAddress else { return true }
                return memcmp(left, right, mine.count) == 0
            }
        }
        if let contiguous, let equal = contiguous { return equal }
        return utf8.elementsEqual(other.utf8)
    }
}

/// Whether two header lists are the same names and values, byte for byte and in order.
@inlinable
package func isByteForByte(_ headers: [(String, String)], _ others: [(String, String)]) -> Bool {
    guard headers.count == others.count else { return false }
    // One array's storage shared by both (a connection's repeated request): the same, without a look.
    let shared = headers.withUnsafeBufferPointer { mine in others.withUnsafeBufferPointer { mine.baseAddress == $0.baseAddress } }
    return shared || zip(headers, others).allSatisfy { $0.0.isByteForByte($1.0) && $0.1.isByteForByte($1.1) }
}

extension Optional where Wrapped == String {
    /// Both nil, or both texts byte for byte the same (`String.isByteForByte`).
    @inlinable
    package func isByteForByte(_ other: String?) -> Bool {
        switch (self, other) {
        case (nil, nil): true
        case (let mine?, let theirs?): mine.isByteForByte(theirs)
        default: false
        }
    }
}

extension UInt8 {
    /// The byte with an ASCII capital letter made small; any other byte as it is.
    @inlinable
    package var lowercasedASCII: UInt8 {
        UInt8(ascii: "A")...UInt8(ascii: "Z") ~= self ? self | 0x20 : self
    }
}
