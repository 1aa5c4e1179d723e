/// Collects response header lines as libcurl delivers them (one line per callback, CRLF included).
///
/// libcurl reports the headers of every response it reads, interim ones too (`100 Continue`,
/// and each hop of a redirect if following were on). Only the final response's headers matter,
/// so a status line starts the list afresh. Only the first line of a response is one: libcurl
/// passes on any later line with a colon, `HTTP/1.1 999…: x` included, and that is a header.
/// Works on the bytes: it runs for every header of every proxied response.
struct ResponseHeaderParser {
    /// Headers of the latest response seen, in wire order.
    private(set) var headers: [(String, String)] = []
    /// Status code of the latest status line (0 before one arrives).
    private(set) var status = 0
    /// The next line starts a response: the first line, and each after the blank line ending an
    /// interim (1xx) head. After a final head, libcurl passes on chunked trailers; none is a status line.
    private var atResponseStart = true

    /// Consumes one raw header line; true when it was the blank line ending a final (non-1xx) response's headers.
    @discardableResult
    mutating func consume(_ line: UnsafeRawBufferPointer) -> Bool {
        let bytes = line.bindMemory(to: UInt8.self)
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > 0 else {  // the blank line ending a header block
            atResponseStart = status < 200
            return status >= 200
        }
        let text = UnsafeBufferPointer(rebasing: bytes[0..<end])
        defer { atResponseStart = false }
        if atResponseStart, text.starts(with: "HTTP/".utf8) {
            headers = []
            status = Self.statusCode(text)
            return false
        }
        if text[0] == UInt8(ascii: " ") || text[0] == UInt8(ascii: "\t") {
            // Obsolete line folding (RFC 9112 §5.2): continues the previous value.
            guard let last = headers.popLast() else { return false }
            headers.append((last.0, last.1 + " " + Self.string(text, 0..<text.count)))
            return false
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let name = Self.string(text, 0..<colon)
        guard !name.isEmpty else { return false }
        headers.append((name, Self.string(text, (colon + 1)..<text.count)))
        return false
    }

    /// Convenience for tests: a line given as bytes.
    @discardableResult
    mutating func consume(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { consume($0) }
    }

    /// "HTTP/1.1 200 OK" or "HTTP/2 200": the three digits after the first space (RFC 9110 §15);
    /// 0 when there are not exactly three, so no digit run can overflow or name a status past 999.
    private static func statusCode(_ line: UnsafeBufferPointer<UInt8>) -> Int {
        guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return 0 }
        let digits = line[(space + 1)...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard digits.count == 3 else { return 0 }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// The bytes of `range` without leading and trailing blanks, as a string.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self)
    }
}
