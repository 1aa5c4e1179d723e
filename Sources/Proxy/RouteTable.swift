import GatehouseCore

/// A configured route, ready for matching: its settings, normalised prefix and upstream pool.
public struct ProxyRoute: Sendable {
    public let settings: RouteSettings
    /// The prefix without a trailing slash (`/` stays `/`).
    let prefix: String
    let pool: UpstreamPool
    /// The origins (`scheme://host:port`) of the upstreams, to tell which legacy sessions belong here.
    let origins: Set<String>

    init(_ settings: RouteSettings) {
        self.settings = settings
        self.prefix = settings.normalizedPrefix
        self.pool = UpstreamPool(settings.upstreams)
        self.origins = Set(settings.upstreams.compactMap(ReverseProxy.origin(of:)))
    }

    /// Whether `path` is the prefix or lies below it, on a segment boundary.
    func covers(path: String) -> Bool {
        prefix == "/" || path == prefix || (path.hasPrefix(prefix) && path.utf8.dropFirst(prefix.utf8.count).first == UInt8(ascii: "/"))
    }

    /// The path the upstream sees: with `stripPrefix`, what follows the prefix (at least `/`).
    func upstreamPath(for path: String) -> String {
        guard settings.stripPrefix, prefix != "/" else { return path }
        let rest = String(path.dropFirst(prefix.count))
        return rest.isEmpty ? "/" : rest
    }
}

/// The routes of `gateway.json`; the longest matching prefix wins, a route for the request's
/// host over one for any host. Equal prefixes with a method in common are refused when the
/// configuration is read, so at most one route is left after that.
public struct RouteTable: Sendable {
    let routes: [ProxyRoute]

    public init(_ settings: [RouteSettings]) {
        self.routes = settings.map(ProxyRoute.init)
    }

    public var isEmpty: Bool { routes.isEmpty }

    /// The route for a request, if any. `host` is the `Host` header as sent (a port is ignored).
    public func match(method: String, host: String?, path: String) -> ProxyRoute? {
        let host = host.map(Self.hostName)
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
