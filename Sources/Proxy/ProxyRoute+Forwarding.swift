import GatehouseCore

/// What a data path needs of a route to forward to its upstreams itself.
extension ProxyRoute {
    /// Every upstream URL once, in the order to try them for one request (round-robin, refusers last).
    public func upstreamOrder() -> [String] { pool.order() }

    /// `url` refused a connection: it is tried last for a while.
    public func upstreamRefused(_ url: String) { pool.refused(url) }

    /// `url` answered: it is in the rotation again.
    public func upstreamAnswered(_ url: String) { pool.answered(url) }

    /// The endpoint of one of this route's upstream URLs, when it is plain `http://` (no TLS, no
    /// user-info): what the event-loop data path forwards to itself. Parsed once, when the route was made.
    public func endpoint(for url: String) -> UpstreamEndpoint? { endpoints[url] }
}

extension ReverseProxy {
    /// `proxy.connectTimeoutSeconds`.
    public var connectTimeoutSeconds: Int { settings.connectTimeoutSeconds }

    /// `proxy.sendTimeoutSeconds`: how long a client may take no bytes before its connection is closed.
    public var sendTimeoutSeconds: Int { settings.sendTimeoutSeconds }

    /// The upstream's response headers as the client gets them: hop-by-hop ones and Gatehouse's cookie
    /// names removed (`HeaderRewrite.response`), a `Location` in the upstream's own terms made the
    /// client's (`ProxyRoute.clientLocation`).
    public func clientHeaders(_ headers: [(String, String)], route: ProxyRoute, upstream base: String) -> [(String, String)] {
        // One pass, one array: this runs for every proxied answer.
        let nominated = HeaderRewrite.connectionTokens(headers)
        var out: [(String, String)] = []
        out.reserveCapacity(headers.count)
        for (name, value) in headers where HeaderRewrite.reachesClient(name, value, nominated: nominated) {
            out.append((name, name.equalsIgnoringASCIICase("location") ? route.clientLocation(value, upstream: base) : value))
        }
        return out
    }
}

/// A plain `http://host[:port][/base]` upstream URL, taken apart.
public struct UpstreamEndpoint: Sendable, Hashable {
    public let host: String
    public let port: Int
    /// The path of the URL without a trailing `/` (empty for none): forwarded paths are put after it.
    public let basePath: String
    /// The `Host` header the upstream is sent, as libcurl writes it (the port only when not 80).
    public let hostHeader: String

    /// `hostHeader` stands for host and port: hashing it and the path alone (pooled connections are
    /// looked up by endpoint twice a request) is consistent with `==` on every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(hostHeader)
        hasher.combine(basePath)
    }

    /// Nil for anything but a plain `http://` URL with a host and no user-info, query or fragment.
    public init?(_ url: String) {
        guard url.hasPrefixIgnoringASCIICase("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        guard !authority.isEmpty, !authority.contains("@"), !path.contains("?"), !path.contains("#") else { return nil }
        if path.hasSuffix("/") { path.removeLast() }
        let host: Substring
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = authority
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
        self.basePath = path
        let name = host.contains(":") ? "[\(host)]" : String(host)
        self.hostHeader = port == 80 ? name : "\(name):\(port)"
    }
}
