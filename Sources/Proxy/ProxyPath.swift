/// Paths the proxy refuses to forward.
enum ProxyPath {
    /// False for a path with a `.` or `..` segment, plain or percent-encoded, or with a backslash or an
    /// encoded `/` or `\`: the upstream (or libcurl, which squashes dot segments) would resolve it to
    /// another path than the one the route and its policy were chosen for. One pass over the bytes:
    /// this runs on every proxied request.
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
            case UInt8(ascii: "."):
                if dots >= 0 { dots += 1 }
            case UInt8(ascii: "%") where index + 2 < bytes.count:
                let high = bytes[index + 1] | 0x20, low = bytes[index + 2] | 0x20  // lower-case hex letters
                if high == UInt8(ascii: "2"), low == UInt8(ascii: "e") {
                    if dots >= 0 { dots += 1 }
                    index += 2
                } else if (high == UInt8(ascii: "2") && low == UInt8(ascii: "f")) || (high == UInt8(ascii: "5") && low == UInt8(ascii: "c")) {
                    return false
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
}
