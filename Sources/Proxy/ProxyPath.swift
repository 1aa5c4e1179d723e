/// The path a proxied request is routed and forwarded by, and the paths the proxy refuses.
enum ProxyPath {
    /// `path` as routes are matched against it and as the upstream receives it: percent-escapes of
    /// unreserved characters decoded (RFC 3986 §6.2.2.2: `/%61dmin` is `/admin` to every server, so it
    /// must be to the route table too), other escapes in upper case, and runs of `/` merged into one
    /// (as nginx's `merge_slashes`: `//admin` is `/admin` to most servers). Nil for a `%` not followed
    /// by two hex digits — IIS's `%uNNNN` among them, which IIS decodes and nothing else does.
    static func normalized(_ path: String) -> String? {
        // Most paths need nothing: say so without copying them (this runs twice per proxied request).
        let utf8 = path.utf8
        guard utf8.contains(UInt8(ascii: "%")) || zip(utf8, utf8.dropFirst()).contains(where: { $0 == UInt8(ascii: "/") && $1 == $0 })
        else { return path }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    out.append(decoded)
                } else {
                    out += [UInt8(ascii: "%"), hexDigits[Int(high)], hexDigits[Int(low)]]
                }
                index += 3
                continue
            }
            if byte != UInt8(ascii: "/") || out.last != UInt8(ascii: "/") { out.append(byte) }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// ALPHA / DIGIT / `-` / `.` / `_` / `~` (RFC 3986 §2.3).
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// False for a path with a `.` or `..` segment, plain or percent-encoded, or with a backslash or an
    /// encoded `/` or `\`: the upstream (or libcurl, which squashes dot segments) would resolve it to
    /// another path than the one the route and its policy were chosen for. A segment whose part before
    /// its path parameters (`;`, or `%3B`) is `.` or `..` is a dot segment too: Tomcat, Jetty and
    /// Spring drop the parameters and then resolve `/pub/..;/admin` to `/admin`. One pass over the
    /// bytes: this runs on every proxied request.
    static func isSafe(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { isSafe($0) }
    }

    private static func isSafe(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        var dots = 0  // dots in the current segment so far, -1 once anything else appeared
        var index = 0
        while index <= bytes.count {
            let byte = index < bytes.count ? bytes[index] : UInt8(ascii: "/")
            switch byte {
            case UInt8(ascii: "/"):
                if dots == 1 || dots == 2 { return false }
                dots = 0
            case UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: ";"):
                if dots == 1 || dots == 2 { return false }
                dots = -1
            case UInt8(ascii: "."):
                if dots >= 0 { dots += 1 }
            case UInt8(ascii: "%") where index + 2 < bytes.count:
                let high = bytes[index + 1] | 0x20, low = bytes[index + 2] | 0x20  // lower-case hex letters
                if high == UInt8(ascii: "2"), low == UInt8(ascii: "e") {
                    if dots >= 0 { dots += 1 }
                    index += 2
                } else if (high == UInt8(ascii: "2") && low == UInt8(ascii: "f")) || (high == UInt8(ascii: "5") && low == UInt8(ascii: "c")) {
                    return false
                } else if high == UInt8(ascii: "3"), low == UInt8(ascii: "b") {
                    if dots == 1 || dots == 2 { return false }
                    dots = -1
                    index += 2
                } else {
                    dots = -1
                }
            default:
                dots = -1
            }
            index += 1
        }
        return true
    }

    /// `path` without the path parameters of its segments (`/app;jsessionid=1/x` → `/app/x`), as
    /// servlet containers match it: routes are chosen on this, the upstream still gets the parameters.
    static func withoutParameters(_ path: String) -> String {
        guard path.utf8.contains(UInt8(ascii: ";")) else { return path }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        var inParameters = false
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") { inParameters = false }
            if byte == UInt8(ascii: ";") { inParameters = true }
            if !inParameters { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
