/// The paths a dialect answers, declared as data: the gateway routes a request to the one dialect
/// whose endpoints match its path (no dialect parses a request that is not its own), and the
/// dialect's `decode` reads which endpoint it got from the same match. One rule, one place.
///
/// A path is read as its `/`-separated segments, one trailing slash ignored (`/auth/` is `/auth`).
///
/// ```swift
/// let endpoints = DialectEndpoints([
///     DialectEndpoint("authenticate", [.ignoringCase("auth"), .any], formatSuffix: ".json"),
/// ])
/// endpoints.match("/AUTH/credentials.json")   // authenticate, captures ["credentials"]
/// ```
public struct DialectEndpoints: Sendable {
    public let all: [DialectEndpoint]

    public init(_ all: [DialectEndpoint]) {
        self.all = all
    }

    /// The first endpoint `path` (still percent-encoded, without the query) names, and the segments
    /// its `.any` parts matched.
    public func match(_ path: String) -> EndpointMatch? {
        guard !all.isEmpty, path.utf8.first == UInt8(ascii: "/") else { return nil }
        var segments = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { Substring($0) }
        if segments.count > 1, segments.last?.isEmpty == true { segments.removeLast() }
        for endpoint in all {
            if let captures = endpoint.match(segments) { return EndpointMatch(endpoint: endpoint, captures: captures) }
        }
        return nil
    }
}

/// One endpoint: a name for the dialect to switch on, and the segments of its path.
public struct DialectEndpoint: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        /// This segment, byte for byte.
        case exactly(String)
        /// This segment, ASCII letters compared without case (IIS, ASP.NET and ServiceStack routing).
        case ignoringCase(String)
        /// Any non-empty segment, captured.
        case any
    }

    public let name: String
    public let segments: [Segment]
    /// A suffix the last segment may carry and that is dropped before matching (ServiceStack's `.json`).
    public let formatSuffix: String?
    /// The shape of an endpoint that names none (ASP.NET's `/{unknown controller}/SignIn`): the
    /// dialect answers it only when no proxied route takes the path.
    public let isUnknown: Bool

    public init(_ name: String, _ segments: [Segment], formatSuffix: String? = nil, isUnknown: Bool = false) {
        self.name = name
        self.segments = segments
        self.formatSuffix = formatSuffix
        self.isUnknown = isUnknown
    }

    /// The segments of a configured path (`/api/Account/SignIn`), each compared as `caseSensitive` says.
    public static func segments(of path: String, caseSensitive: Bool) -> [Segment] {
        path.split(separator: "/").map { caseSensitive ? .exactly(String($0)) : .ignoringCase(String($0)) }
    }

    func match(_ path: [Substring]) -> [Substring]? {
        guard path.count == segments.count else { return nil }
        var captures: [Substring] = []
        for (index, (segment, pattern)) in zip(path, segments).enumerated() {
            var segment = segment
            if index == path.count - 1, let suffix = formatSuffix, segment.utf8.count > suffix.utf8.count,
                segment.lowercased().hasSuffix(suffix)
            {
                segment = segment.dropLast(suffix.count)
            }
            switch pattern {
            case .exactly(let text):
                guard segment == text else { return nil }
            case .ignoringCase(let text):
                guard segment.utf8.count == text.utf8.count, segment.lowercased() == text.lowercased() else { return nil }
            case .any:
                guard !segment.isEmpty else { return nil }
                captures.append(segment)
            }
        }
        return captures
    }
}

public struct EndpointMatch: Sendable {
    public let endpoint: DialectEndpoint
    /// What the `.any` segments matched, in order (suffix dropped).
    public let captures: [Substring]
}
