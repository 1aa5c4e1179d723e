import Foundation

/// Paths the proxy refuses to forward.
enum ProxyPath {
    /// False for a path with a `.` or `..` segment, plain or percent-encoded, or a backslash:
    /// the upstream (or libcurl, which squashes dot segments) would resolve it to another path than the
    /// one the route and its policy were chosen for.
    static func isSafe(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            let decoded = segment.replacingOccurrences(of: "%2e", with: ".").replacingOccurrences(of: "%2E", with: ".")
            if decoded == "." || decoded == ".." { return false }
            if segment.contains("\\") || segment.lowercased().contains("%5c") || segment.lowercased().contains("%2f") { return false }
        }
        return true
    }
}
