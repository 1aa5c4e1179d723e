import GatehouseCore

/// A configured route, ready for matching: its settings, normalised prefix and upstream pool. A class:
/// every proxied request carries its route, and a copy of the settings would retain each of their fields.
public final class ProxyRoute: Sendable {
    public let settings: RouteSettings
    /// The prefix without a trailing slash (`/` stays `/`).
    let prefix: String
    let pool: UpstreamPool
    /// The origins (`scheme://host:port`) of the upstreams, to tell which legacy sessions belong here.
    let origins: Set<String>
    /// The plain-`http://` upstreams, parsed once (see `forwardsOverPlainHTTP`).
    let endpoints: [String: UpstreamEndpoint]
    /// Whether every upstream is plain `http://`.
    public let forwardsOverPlainHTTP: Bool

    init(_ settings: RouteSettings) {
        self.settings = settings
        self.prefix = settings.normalizedPrefix
        self.pool = UpstreamPool(settings.upstreams)
        self.origins = Set(settings.upstreams.compactMap(ReverseProxy.origin(of:)))
        var endpoints: [String: UpstreamEndpoint] = [:]
        for url in settings.upstreams { endpoints[url] = UpstreamEndpoint(url) }
        self.endpoints = endpoints
        self.forwardsOverPlainHTTP = settings.upstreams.allSatisfy { endpoints[$0] != nil }
    }

    /// Whether `path` (normalized, see `ProxyPath.normalized`) is the prefix or lies below it, on a
    /// segment boundary. ASCII letters match without regard to case: IIS and ASP.NET serve `/Admin` as
    /// `/admin`, and a route's policy must not be sidestepped by spelling. A case-sensitive upstream
    /// then answers `/Admin` with its 404, under the stricter route.
    func covers(path: String) -> Bool {
        guard prefix != "/" else { return true }
        guard path.hasPrefixIgnoringASCIICase(prefix) else { return false }
        let next = path.utf8.dropFirst(prefix.utf8.count).first
        return next == nil || next == UInt8(ascii: "/")
    }

    /// The path the upstream sees: with `stripPrefix`, what follows the prefix's segments (at least
    /// `/`), path parameters of the segments that follow kept.
    func upstreamPath(for path: String) -> String {
        guard settings.stripPrefix, prefix != "/" else { return path }
        guard path.utf8.contains(UInt8(ascii: ";")) else {
            let rest = String(path.dropFirst(prefix.count))
            return rest.isEmpty ? "/" : rest
        }
        // The prefix matched `path` without parameters: drop as many whole segments as it has.
        var segments = prefix.utf8.count(where: { $0 == UInt8(ascii: "/") })
        var index = path.utf8.startIndex
        while index < path.utf8.endIndex {
            if path.utf8[index] == UInt8(ascii: "/") {
                if segments == 0 { break }
                segments -= 1
            }
            index = path.utf8.index(after: index)
        }
        let rest = String(path[index...])
        return rest.isEmpty ? "/" : rest
    }

    /// A `Location` the upstream at `base` wrote in its own terms, as the client must follow it (what
    /// nginx's `proxy_redirect default` does): an absolute URL at or below `base` becomes the path this
    /// route serves it under, `upstreamPath(for:)` undone; any other value passes as sent.
    func clientLocation(_ location: String, upstream base: String) -> String {
        let base = base.hasSuffix("/") ? Substring(base.dropLast()) : Substring(base)
        guard let schemeEnd = base.firstRange(of: "://")?.upperBound else { return location }
        let pathStart = base[schemeEnd...].firstIndex(of: "/") ?? base.endIndex
        let origin = base[..<pathStart], basePath = base[pathStart...]
        // Scheme and host are compared without case, the path as written.
        guard location.hasPrefixIgnoringASCIICase(origin) else { return location }
        let rest = Substring(location).utf8.dropFirst(origin.utf8.count)
        guard rest.starts(with: basePath.utf8) else { return location }
        let below = Substring(rest.dropFirst(basePath.utf8.count))
        guard below.isEmpty || below.first == "/" || below.first == "?" || below.first == "#" else { return location }
        let path = below.first == "/" ? String(below) : "/" + below
        // `//host/…` would be a reference to another site: only a path of this one is rewritten.
        guard !path.hasPrefix("//") else { return location }
        return settings.stripPrefix && prefix != "/" ? prefix + path : path
    }
}

/// The routes of `gateway.json`; the longest matching prefix wins, a route for the request's
/// host over one for any host. Equal prefixes with a method in common are refused when the
/// configuration is read, so at most one route is left after that.
public struct RouteTable: Sendable {
    let routes: [ProxyRoute]
    /// Some route is for one host only: only then is a request's `Host` read to match it.
    private let hostRoutes: Bool

    public init(_ settings: [RouteSettings]) {
        self.routes = settings.map(ProxyRoute.init)
        self.hostRoutes = settings.contains { $0.host != nil }
    }

    public var isEmpty: Bool { routes.isEmpty }

    /// The route for a request, if any. `host` is the `Host` header as sent (a port is ignored);
    /// `path` is matched without its path parameters.
    public func match(method: String, host: String?, path: String) -> ProxyRoute? {
        let host = hostRoutes ? host.map(Self.hostName) : nil
        let path = ProxyPath.withoutParameters(path)
        var best: ProxyRoute?
        for route in routes where route.covers(path: path) {
            if let wanted = route.settings.host, wanted != host { continue }
            if !route.settings.methods.isEmpty, !route.settings.methods.contains(method) { continue }
            guard let current = best else {
                best = route
                continue
            }
            if route.prefix.count > current.prefix.count
                || (route.prefix.count == current.prefix.count && current.settings.host == nil && route.settings.host != nil)
            {
                best = route
            }
        }
        return best
    }

    /// `Host` without its port, lower-cased; `[::1]:8080` → `[::1]`.
    static func hostName(_ host: String) -> String {
        let lowered = host.lowercased()
        if lowered.hasPrefix("["), let end = lowered.firstIndex(of: "]") {
            return String(lowered[...end])
        }
        return String(lowered.split(separator: ":", maxSplits: 1).first ?? "")
    }
}
