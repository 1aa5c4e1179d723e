import GatehouseCore

/// What the upstream receives and what the client gets back, header by header.
enum HeaderRewrite {
    /// Hop-by-hop headers (RFC 9110 §7.6.1) and the framing libcurl and Hummingbird set themselves.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authorization", "proxy-authenticate", "content-length", "expect", "host",
    ]

    /// Who is asking, as established for this request.
    struct Caller {
        /// The caller's identity headers (`identityHeaders`, without the assertion); none for nobody.
        var identityHeaders: [(String, String)] = []
        /// The JWT assertion of the identity, when configured.
        var assertion: String?
        /// The legacy upstream's own cookies (`cookie:NAME`) and bearer (`bearer`) to attach.
        var upstreamArtifacts: [String: String] = [:]
        /// The `Authorization` header carried a Gatehouse artifact (it is not passed on).
        var authorizationWasOurs = false
        /// The route allows only some methods: headers that ask the upstream for another one are dropped.
        var methodIsRestricted = false
        var clientAddress: String?
        var requestID: String
    }

    /// What the request loop does with a client header of one (lower-case) name: its part in the rewrite,
    /// and whether it never reaches the upstream, whatever the request. One table lookup per header.
    struct Rule: Sendable {
        enum Kind: Sendable {
            case host, forwardedFor, forwarded, addressClaim, forwardedProto, forwardedHost, methodOverride, authorization, cookie
        }

        var kind: Kind?
        /// Hop-by-hop, replaced, a session header, a path override or a configured identity header.
        var removed = false
    }

    /// Every header name the request loop removes, replaces or decides on, and how: made once per
    /// configuration (the identity header names are configured). A name not in it passes as sent,
    /// unless the request's `Connection` nominates it.
    struct Rules: Sendable {
        let byName: [String: Rule]

        init(identityNames: Set<String>) {
            var byName: [String: Rule] = [:]
            for name in hopByHop.union(replaced).union(PresentedArtifacts.sessionHeaders).union(pathOverrides).union(identityNames) {
                byName[name, default: Rule()].removed = true
            }
            let kinds: [(Set<String>, Rule.Kind)] = [
                (clientAddressClaims, .addressClaim), (methodOverrides, .methodOverride), (["host"], .host),
                (["x-forwarded-for"], .forwardedFor), (["forwarded"], .forwarded), (["x-forwarded-proto"], .forwardedProto),
                (["x-forwarded-host"], .forwardedHost), (["authorization"], .authorization), (["cookie"], .cookie),
            ]
            for (names, kind) in kinds {
                for name in names { byName[name, default: Rule()].kind = kind }
            }
            self.byName = byName
        }
    }

    /// The request headers for the upstream: the client's, minus hop-by-hop headers, spoofable
    /// identity headers and Gatehouse's own artifacts; plus the identity, the legacy session,
    /// the `X-Forwarded-*` set and the request id. `rules`: `Rules(identityNames: settings.identityHeaderNames)`, made once.
    static func request(
        _ headers: [(String, String)], caller: Caller, settings: ProxySettings, rules: Rules? = nil
    ) -> [(String, String)] {
        rewritten(headers, caller: caller, settings: settings, rules: rules) + [("X-Request-Id", caller.requestID)]
    }

    /// `request(_:caller:settings:rules:)` up to the request id, the one header that differs between two
    /// requests alike in everything else: what a connection may reuse (`ReverseProxy.upstreamHeaders`).
    static func rewritten(
        _ headers: [(String, String)], caller: Caller, settings: ProxySettings, rules: Rules? = nil
    ) -> [(String, String)] {
        let nominated = connectionTokens(headers)
        let rules = rules ?? Rules(identityNames: settings.identityHeaderNames)
        // Only a proxy in front of Gatehouse may say who the client is; anyone else's claim is dropped.
        let peerIsTrusted = settings.trustedProxies.contain(caller.clientAddress)
        var forwardedFor: String?
        var forwarded: String?
        var host: String?
        // What a trusted proxy says of the client's own request (a TLS-terminating front: https, its host).
        var claimedProto: String?
        var claimedHost: String?
        var cookies: [(String, String)] = []
        var out: [(String, String)] = []
        out.reserveCapacity(headers.count + 8)
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower.utf8.contains(UInt8(ascii: "_")) {
                // IIS, CGI and WSGI read `X_Auth_User` as `X-Auth-User`: a name that reads as one of the
                // headers handled below is dropped; any other (`api_key`) is the upstream's business.
                let dashed = String(lower.map { $0 == "_" ? "-" : $0 })
                if rules.byName[dashed] == nil, !nominated.contains(dashed) { out.append((name, value)) }
                continue
            }
            let rule = rules.byName[lower]
            switch rule?.kind {
            case .forwardedFor:
                if peerIsTrusted { forwardedFor = forwardedFor.map { "\($0), \(value)" } ?? value }
                continue
            case .forwarded:
                if peerIsTrusted { forwarded = forwarded.map { "\($0), \(value)" } ?? value }
                continue
            case .addressClaim where !peerIsTrusted:
                continue
            case .host:
                host = value
            case .forwardedProto where peerIsTrusted && claimedProto == nil:
                let proto = value.trimmingSpacesAndTabs().lowercased()
                if proto == "http" || proto == "https" { claimedProto = proto }
            case .forwardedHost where peerIsTrusted && claimedHost == nil && !value.isEmpty:
                claimedHost = value
            default:
                break
            }
            if rule?.removed == true || nominated.contains(lower) { continue }
            switch rule?.kind {
            case .methodOverride where caller.methodIsRestricted:
                continue
            case .authorization where caller.authorizationWasOurs:
                continue
            case .cookie:
                cookies += PresentedArtifacts.cookiePairs(in: [(name, value)])
                    .filter { !PresentedArtifacts.gatehouseCookies.contains($0.0) }
            default:
                out.append((name, value))
            }
        }
        out += caller.identityHeaders
        if let assertion = assertionHeader(caller.assertion, settings: settings) { out.append(assertion) }
        // The legacy session's cookies replace any the client sent under the same names; one Cookie line (RFC 6265 §5.4).
        let legacyCookies = legacyCookies(caller.upstreamArtifacts)
        cookies.removeAll { cookie in legacyCookies.contains { $0.0 == cookie.0 } }
        cookies += legacyCookies
        if !cookies.isEmpty { out.append(("Cookie", cookies.map { "\($0.0)=\($0.1)" }.joined(separator: "; "))) }
        if let bearer = caller.upstreamArtifacts["bearer"] {
            out.removeAll { $0.0.equalsIgnoringASCIICase("authorization") }
            out.append(("Authorization", "Bearer \(clean(bearer))"))
        }
        if let address = caller.clientAddress {
            out.append(("X-Forwarded-For", forwardedFor.map { "\($0), \(address)" } ?? address))
        }
        // RFC 7239: this hop's element, after those of trusted proxies before it.
        var element = caller.clientAddress.map { "for=\(forwardedValue(node: $0))" } ?? "for=unknown"
        if let host { element += ";host=\(forwardedValue(clean(host)))" }
        element += ";proto=http"
        out.append(("Forwarded", forwarded.map { "\(clean($0)), \(element)" } ?? element))
        out.append(("X-Forwarded-Proto", claimedProto ?? "http"))
        if let shownHost = claimedHost ?? host { out.append(("X-Forwarded-Host", clean(shownHost))) }
        return out
    }

    /// The identity headers (user, e-mail, roles comma-separated): what an upstream behind the proxy, or
    /// behind a proxy asking forward auth, learns of the caller; `assertionHeader` follows them.
    static func identityHeaders(_ identity: Identity, settings: ProxySettings) -> [(String, String)] {
        var out = [(settings.userHeader, clean(identity.userName))]
        if let email = identity.email.primary { out.append((settings.emailHeader, clean(email))) }
        out.append((settings.rolesHeader, clean(identity.roles.map(\.name).joined(separator: ","))))
        return out
    }

    /// The identity assertion's header, when one is configured and signed.
    static func assertionHeader(_ assertion: String?, settings: ProxySettings) -> (String, String)? {
        guard let assertion, let header = settings.assertionHeader else { return nil }
        return (header, assertion)
    }

    /// The legacy session's cookies (`cookie:NAME` artifacts), by name.
    static func legacyCookies(_ artifacts: [String: String]) -> [(String, String)] {
        artifacts.compactMap { key, value -> (String, String)? in
            key.hasPrefix("cookie:") ? (String(key.dropFirst("cookie:".count)), clean(value)) : nil
        }.sorted { $0.0 < $1.0 }
    }

    /// Headers that claim the client's address, port, scheme or path as a proxy before this one saw
    /// them; passed on only from `proxy.trustedProxies`.
    static let clientAddressClaims: Set<String> = [
        "x-real-ip", "true-client-ip", "x-forwarded-port", "x-forwarded-prefix", "x-forwarded-ssl", "x-forwarded-server",
    ]

    /// A node (RFC 7239 §6): an IPv6 address in brackets and quotes, IPv4 as it is.
    private static func forwardedValue(node address: String) -> String {
        address.contains(":") ? "\"[\(address)]\"" : address
    }

    /// A `Forwarded` parameter value: a token as it is, anything else (a `host:port`) quoted.
    private static func forwardedValue(_ value: String) -> String {
        let isToken = !value.isEmpty && value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "^"), UInt8(ascii: "`"),
                UInt8(ascii: "|"):
                true
            default:
                false
            }
        }
        if isToken { return value }
        // Byte by byte: `\` and `"` are ASCII, never part of a longer UTF-8 sequence (walking Characters
        // was 1.3% of a proxied request's user cycles, for every `host:port`).
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        quoted.reserveCapacity(value.utf8.count + 4)
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { quoted.append(UInt8(ascii: "\\")) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        return String(decoding: quoted, as: UTF8.self)
    }

    /// Headers the proxy sets itself, whatever the client sent under their names.
    static let replaced: Set<String> = ["x-forwarded-proto", "x-forwarded-host", "x-request-id"]

    /// Headers some frameworks (IIS URL Rewrite, Symfony, Zend) take as the request's real path: they
    /// would move the request past the route its policy was checked for.
    static let pathOverrides: Set<String> = ["x-original-url", "x-rewrite-url"]

    /// Headers some frameworks (ServiceStack, ASP.NET Web API filters, Rails) take as the request's real method.
    static let methodOverrides: Set<String> = ["x-http-method-override", "x-http-method", "x-method-override"]

    /// The upstream's response headers for the client, minus hop-by-hop ones and minus cookies named like
    /// Gatehouse's own: a legacy ServiceStack minting its own `ss-id` would otherwise replace the
    /// browser's Gatehouse session (and sign it out), an ASP.NET upstream its `.AspNet.ApplicationCookie`.
    static func response(_ headers: [(String, String)]) -> [(String, String)] {
        let nominated = connectionTokens(headers)
        return headers.filter { reachesClient($0.0, $0.1, nominated: nominated) }
    }

    /// Whether the client gets one of the upstream's response headers (see `response(_:)`);
    /// `nominated` is `connectionTokens` of the whole answer.
    static func reachesClient(_ name: String, _ value: String, nominated: Set<String>) -> Bool {
        let lower = name.lowercased()
        if lower == "set-cookie", let cookieName = value.split(separator: "=", maxSplits: 1).first {
            return !PresentedArtifacts.gatehouseCookies.contains(cookieName.trimmingSpacesAndTabs())
        }
        return !hopByHop.contains(lower) && !nominated.contains(lower)
    }

    /// Header names listed in `Connection` (hop-by-hop by nomination), beyond those always hop-by-hop.
    static func connectionTokens(_ headers: [(String, String)]) -> Set<String> {
        var tokens: Set<String> = []
        for (name, value) in headers where name.equalsIgnoringASCIICase("connection") {
            // The usual values, without splitting, trimming or lower-casing a copy. `keep-alive` is in
            // `hopByHop` already: leaving it out keeps the set empty, and unallocated, on most messages.
            if value.equalsIgnoringASCIICase("keep-alive") {
                continue
            } else if value.equalsIgnoringASCIICase("close") {
                tokens.insert("close")
            } else {
                for token in value.split(separator: ",") { tokens.insert(token.trimmingSpacesAndTabs().lowercased()) }
            }
        }
        return tokens
    }

    /// A value safe for one header line: no CR, LF or NUL (they would end the line).
    static func clean(_ value: String) -> String {
        let breaksLine: (UInt8) -> Bool = { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") || $0 == 0 }
        guard value.utf8.contains(where: breaksLine) else { return value }
        return String(decoding: value.utf8.filter { !breaksLine($0) }, as: UTF8.self)
    }
}
