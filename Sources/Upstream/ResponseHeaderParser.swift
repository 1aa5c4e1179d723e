/// Collects response header lines as libcurl delivers them (one line per callback, CRLF included).
///
/// libcurl reports the headers of every response it reads, interim ones too (`100 Continue`,
/// and each hop of a redirect if following were on). Only the final response's headers matter,
/// so a status line starts the list afresh.
struct ResponseHeaderParser {
    /// Headers of the latest response seen, in wire order.
    private(set) var headers: [(String, String)] = []
    /// Status code of the latest status line (0 before one arrives).
    private(set) var status = 0

    /// Consumes one raw header line; true when it was the blank line ending a final (non-1xx) response's headers.
    @discardableResult
    mutating func consume(_ line: some Collection<UInt8>) -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        let trimmed = Self.trimmingTrailingLineBreak(text)
        if trimmed.hasPrefix("HTTP/") {
            headers = []
            // "HTTP/1.1 200 OK" or "HTTP/2 200": the code is the second field.
            status = trimmed.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
            return false
        }
        guard let first = trimmed.first else { return status >= 200 }  // the blank line ending a header block
        if first == " " || first == "\t" {
            // Obsolete line folding (RFC 9112 §5.2): continues the previous value.
            guard let last = headers.popLast() else { return false }
            headers.append((last.0, last.1 + " " + Self.trimmingBlanks(Substring(trimmed))))
            return false
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return false }
        let name = Self.trimmingBlanks(trimmed[..<colon])
        let value = Self.trimmingBlanks(trimmed[trimmed.index(after: colon)...])
        guard !name.isEmpty else { return false }
        headers.append((name, value))
        return false
    }

    private static func trimmingTrailingLineBreak(_ text: String) -> String {
        var result = Substring(text)
        while let last = result.last, last == "\n" || last == "\r" || last == "\r\n" {
            result = result.dropLast()
        }
        return String(result)
    }

    private static func trimmingBlanks(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isBlank($0) }),
              let end = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[start...end])
    }
}
