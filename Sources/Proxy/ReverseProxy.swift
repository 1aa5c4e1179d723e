import Foundation
import GatehouseCore
import Grants
import Logging
import Upstream

/// A request on its way through the proxy, before its body: what the decisions are made from.
public struct ProxyRequestHead: Sendable {
    public var method: String
    /// The path as sent, percent-encoding intact, without the query.
    public var path: String
    /// The query as sent, without `?`; nil when there is none.
    public var query: String?
    public var headers: [(String, String)]
    /// The connected peer's IP address.
    public var clientAddress: String?
    public var requestID: String

    public init(method: String, path: String, query: String?, headers: [(String, String)], clientAddress: String?, requestID: String) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.clientAddress = clientAddress
        self.requestID = requestID
    }
}

/// Who a request's artifacts say is calling, as the proxy acts on it. A class: a connection remembers
/// it and each step of a request is handed it, and a `Grant` is a struct of some twenty references.
public final class ProxyCaller: Sendable {
    /// The live grant the first artifact that opened one belongs to; nil: nobody is signed in.
    public let grant: Grant?
    /// Whether `grant` is there: `grant != nil` copies the whole grant (and releases it) to compare it.
    public let isSignedIn: Bool
    /// `Authorization` carried a Gatehouse artifact: it is not passed upstream.
    public let authorizationWasOurs: Bool
    /// The grant's identity headers, assertion aside (`HeaderRewrite.identityHeaders`): made once per caller.
    let identityHeaders: [(String, String)]

    init(grant: Grant?, authorizationWasOurs: Bool, settings: ProxySettings) {
        self.grant = grant
        isSignedIn = grant != nil
        self.authorizationWasOurs = authorizationWasOurs
        identityHeaders = grant.map { HeaderRewrite.identityHeaders($0.identity, settings: settings) } ?? []
    }

    /// Whether the caller holds one of the roles `route` asks for (any caller, when it asks for none).
    func holdsARole(for route: ProxyRoute) -> Bool {
        // The roles alone: binding the whole grant would copy it.
        route.settings.roles.isEmpty || grant?.identity.roles.contains { route.settings.roles.contains($0.name) } == true
    }
}

/// The caller a connection's last request was found to be, and the artifact headers it presented
/// (`ReverseProxy.knownCaller(_:remembered:)`).
public final class RememberedCaller: Sendable {
    /// The request's headers, and those of them `PresentedArtifacts` reads, in the order sent.
    private let all: [(String, String)]
    private let presented: [(String, String)]
    /// The proxy that found it: a reloaded gateway's proxy (other keys, another cache) finds its own.
    fileprivate let proxy: ReverseProxy
    fileprivate let caller: ProxyCaller
    /// The check behind `caller`; nil when no artifact was presented.
    fileprivate let check: CheckedArtifact?

    fileprivate init(_ headers: [(String, String)], proxy: ReverseProxy, caller: ProxyCaller, check: CheckedArtifact?) {
        all = headers
        presented = headers.filter { PresentedArtifacts.reads(header: $0.0) }
        self.proxy = proxy
        self.caller = caller
        self.check = check
    }

    /// Whether `headers` carry exactly the artifact headers remembered, byte for byte and in order.
    fileprivate func presents(_ headers: [(String, String)]) -> Bool {
        // A client sending the very same headers again, the usual case, is told by comparing bytes alone.
        if isByteForByte(headers, all) { return true }
        var index = 0
        for (name, value) in headers where PresentedArtifacts.reads(header: name) {
            guard index < presented.count, presented[index].0.isByteForByte(name), presented[index].1.isByteForByte(value) else { return false }
            index += 1
        }
        return index == presented.count
    }
}

/// What a connection's last request was rewritten to for its upstream, and everything that decided it
/// (`ReverseProxy.rewrite(_:route:caller:assertion:remembered:)`).
public final class RememberedRewrite: Sendable {
    fileprivate let proxy: ReverseProxy
    fileprivate let route: ProxyRoute
    fileprivate let caller: ProxyCaller
    fileprivate let assertion: String?
    fileprivate let clientAddress: String?
    /// The client's headers, as sent.
    private let client: [(String, String)]
    /// The upstream's headers (`HeaderRewrite.rewritten` of the client's): all but the request id.
    public let headers: [(String, String)]

    fileprivate init(
        proxy: ReverseProxy, route: ProxyRoute, caller: ProxyCaller, assertion: String?, clientAddress: String?,
        client: [(String, String)], headers: [(String, String)]
    ) {
        self.proxy = proxy
        self.route = route
        self.caller = caller
        self.assertion = assertion
        self.clientAddress = clientAddress
        self.client = client
        self.headers = headers
    }

    /// Whether `headers` are the client's headers remembered, byte for byte and in order.
    fileprivate func matches(_ headers: [(String, String)]) -> Bool {
        isByteForByte(headers, client)
    }
}

/// Whether an identity assertion goes with a request, and whether one is at hand.
public enum AssertionState: Sendable, Equatable {
    case notConfigured
    case ready(String)
    case toMake
}

/// What came of a proxied request.
public enum ProxyOutcome: Sendable {
    /// Gatehouse answers itself (refused, or the upstream failed).
    case answer(ProxyAnswer)
    /// The upstream answered: pass this on. `headers` are already cleaned for the client;
    /// `contentLength` is the upstream's, when one frames its body.
    case upstream(status: Int, headers: [(String, String)], contentLength: Int?, body: UpstreamResponseBody)
}

/// The reverse proxy: finds the route, checks the caller's artifact against the route's policy,
/// rewrites the headers and forwards through the libcurl client, trying a route's upstreams in turn.
public final class ReverseProxy: Sendable {
    let routes: RouteTable
    let settings: ProxySettings
    /// Forward auth's own settings (`authz`).
    let authz: AuthzSettings
    let grants: GrantService
    let client: UpstreamClient
    /// Authenticator name → origin of its upstream URL (`http://host:port`), to know whose
    /// kept artifacts belong to which route.
    let legacyOrigins: [String: String]
    /// How each client header is rewritten (`settings.identityHeaderNames` among them), made once rather than on every request.
    let headerRules: HeaderRewrite.Rules
    /// Identity assertions signed a moment ago, by grant id (see `cachedAssertion(forGrant:)`).
    let assertions = BoundedMemo<String, (token: String, reuseUntil: ContinuousClock.Instant)>(capacity: 10_000)

    public init(
        routes: RouteTable, settings: ProxySettings, authz: AuthzSettings = AuthzSettings(), grants: GrantService, client: UpstreamClient,
        legacyOrigins: [String: String]
    ) {
        self.routes = routes
        self.settings = settings
        self.authz = authz
        self.grants = grants
        self.client = client
        self.legacyOrigins = legacyOrigins
        self.headerRules = HeaderRewrite.Rules(identityNames: settings.identityHeaderNames)
    }

    /// How long one write to a client may wait for it to read (`proxy.sendTimeoutSeconds`).
    public var sendTimeout: Duration { .seconds(settings.sendTimeoutSeconds) }

    /// The route for a request, nil when no route takes it: matched on the normalized path (see
    /// `ProxyPath.normalized`), the one the upstream will receive. A decision-only route (no
    /// upstream) is never proxied, and no shorter route takes what it matches either.
    public func route(method: String, host: String?, path: String) -> ProxyRoute? {
        guard let route = routes.match(method: method, host: host, path: ProxyPath.normalized(path) ?? path),
            !route.settings.upstreams.isEmpty
        else { return nil }
        return route
    }

    /// Checks and forwards one request. `startBody` is called once the request is let through: it
    /// starts streaming the client's body and returns it (nil: the request has none).
    public func handle(
        _ head: ProxyRequestHead, route: ProxyRoute, logger: Logger, startBody: () -> UpstreamRequestBody?
    ) async -> ProxyOutcome {
        var head = head
        if let refusal = admit(&head) { return .answer(refusal) }
        let caller: ProxyCaller
        do {
            caller = try await resolveCaller(head.headers)
        } catch {
            logger.error("grant store failed", metadata: ["route": "\(route.settings.name)"])
            return .answer(.storeUnavailable)
        }
        if let refusal = authorize(head, route: route, caller: caller, logger: logger) { return .answer(refusal) }
        var assertion: String?
        if let grant = caller.grant {
            switch cachedAssertion(forGrant: grant.id) {
            case .notConfigured: break
            case .ready(let token): assertion = token
            case .toMake: assertion = await makeAssertion(for: grant)
            }
        }
        let headers = upstreamHeaders(head, route: route, caller: caller, assertion: assertion)
        return await forward(head, route: route, headers: headers, body: startBody(), logger: logger)
    }

    // MARK: Steps (each data path calls them in this order: admit, caller, authorize, assertion, headers)

    /// The checks made before any artifact is looked at: the path (normalized into `head.path`; dot
    /// segments, encoded slashes and bad escapes refused) and a single `Host`. Nil when the request may go on.
    public func admit(_ head: inout ProxyRequestHead) -> ProxyAnswer? {
        admit(&head, safePath: Self.safePath(head.path))
    }

    /// `admit(_:)`, with `safePath(head.path)` already worked out (it depends on the path alone).
    public func admit(_ head: inout ProxyRequestHead, safePath: String?) -> ProxyAnswer? {
        guard let path = safePath else { return .badPath }
        // RFC 9112 §3.2: more than one Host is a 400. Routing and the return URL would read different ones.
        guard head.headers.lazy.filter({ $0.0.equalsIgnoringASCIICase("host") }).count <= 1 else { return .duplicateHost }
        head.path = path
        return nil
    }

    /// `path` normalized (`ProxyPath.normalized`), nil when it is refused (dot segments, encoded slashes, bad escapes).
    public static func safePath(_ path: String) -> String? {
        guard let normalized = ProxyPath.normalized(path), ProxyPath.isSafe(normalized) else { return nil }
        return normalized
    }

    /// The caller `remembered` found, while the check behind it still holds under this proxy
    /// (`GrantService.stillHolds`: the same rule as the shared cache, never longer); nil otherwise.
    public func stillKnown(_ remembered: RememberedCaller) -> ProxyCaller? {
        guard remembered.proxy === self else { return nil }
        // Not `check.map(grants.stillHolds)`: that copies GrantService, a struct of many references.
        guard let check = remembered.check else { return remembered.caller }
        return grants.stillHolds(check) ? remembered.caller : nil
    }

    /// The caller, when every artifact that decides it was checked a moment ago (see
    /// `GrantService.checkedArtifact(_:)`): no suspension, no store, no signature. Nil when
    /// `resolveCaller(_:)` must decide. A request presenting no artifact is known at once: nobody.
    public func knownCaller(_ headers: [(String, String)]) -> ProxyCaller? {
        checkedCaller(headers)?.caller
    }

    /// `knownCaller(_:)` for one connection's requests: `remembered` is what the connection's last request
    /// found. A request that presents the very same artifact headers gets the same caller while the check
    /// behind it holds (`GrantService.stillHolds`: the same rule as the shared cache, never longer), with
    /// no artifact parsed and no cache looked up; anything else is looked up, and remembered when known.
    public func knownCaller(_ headers: [(String, String)], remembered: inout RememberedCaller?) -> ProxyCaller? {
        if let last = remembered, last.proxy === self, last.presents(headers), let caller = stillKnown(last) { return caller }
        guard let found = checkedCaller(headers) else { return nil }
        remembered = RememberedCaller(headers, proxy: self, caller: found.caller, check: found.check)
        return found.caller
    }

    /// `knownCaller(_:)`, with the check behind the caller (nil when no artifact was presented).
    private func checkedCaller(_ headers: [(String, String)]) -> (caller: ProxyCaller, check: CheckedArtifact?)? {
        let artifacts = PresentedArtifacts.find(in: headers)
        guard let first = artifacts.first else { return (ProxyCaller(grant: nil, authorizationWasOurs: false, settings: settings), nil) }
        guard let check = grants.checkedArtifact(first) else { return nil }
        // The first artifact tried opened a grant. Whether `Authorization` was ours is plain when the
        // grant came from it, or when there is none; anything else is for `resolveCaller`.
        let authorizationValues = headers.lazy.filter { $0.0.equalsIgnoringASCIICase("authorization") }
        if case .bearer(let token) = first, authorizationValues.contains(where: { PresentedArtifacts.bearerToken($0.1) == token }) {
            return (ProxyCaller(grant: check.grant, authorizationWasOurs: true, settings: settings), check)
        }
        return authorizationValues.isEmpty ? (ProxyCaller(grant: check.grant, authorizationWasOurs: false, settings: settings), check) : nil
    }

    /// The first live grant among the presented artifacts, and whether `Authorization` held one of
    /// ours: the bearer that opened the grant, or any artifact Gatehouse issued (`GrantService.isOurs`),
    /// live, expired, revoked or forged — such a bearer is never passed upstream.
    public func resolveCaller(_ headers: [(String, String)]) async throws -> ProxyCaller {
        let authorizationBearers = headers.compactMap { name, value in
            name.equalsIgnoringASCIICase("authorization") ? PresentedArtifacts.bearerToken(value) : nil
        }
        var grant: Grant?
        // A real client presents a few; checking each costs a signature verification, so hundreds
        // packed into one request are not all tried.
        for artifact in PresentedArtifacts.find(in: headers).prefix(Self.artifactsTried) {
            grant = try await grants.resolveAny(artifact)
            guard let grant else { continue }
            if case .bearer(let token) = artifact, authorizationBearers.contains(token) {
                return ProxyCaller(grant: grant, authorizationWasOurs: true, settings: settings)
            }
            break
        }
        for token in authorizationBearers.prefix(Self.artifactsTried) where try await grants.isOurs(bearer: token) {
            return ProxyCaller(grant: grant, authorizationWasOurs: true, settings: settings)
        }
        return ProxyCaller(grant: grant, authorizationWasOurs: false, settings: settings)
    }

    /// The route's policy applied to the caller: nil when the request may pass, else the refusal
    /// (401 or the sign-in redirect without a grant, 403 without a required role).
    public func authorize(_ head: ProxyRequestHead, route: ProxyRoute, caller: ProxyCaller, logger: Logger) -> ProxyAnswer? {
        guard route.settings.policy == .authenticated else { return nil }
        guard caller.isSignedIn else { return unauthenticated(head) }
        if !caller.holdsARole(for: route) {
            logger.debug("proxy refused", metadata: ["route": "\(route.settings.name)", "reason": "missing_role"])
            return .forbidden
        }
        return nil
    }

    /// The identity assertion for a grant's identity when `proxy.assertionHeader` is configured: one signed
    /// a moment ago is reused while more than half of its lifetime is left, so signing costs one ES256
    /// signature per identity every `assertionLifetimeSeconds / 2` instead of one per request.
    public func cachedAssertion(forGrant grantID: String) -> AssertionState {
        guard settings.assertionHeader != nil else { return .notConfigured }
        guard let made = assertions.value(for: grantID), ContinuousClock.now < made.reuseUntil else { return .toMake }
        return .ready(made.token)
    }

    /// Signs a new identity assertion for the grant's identity (nil when signing failed) and keeps it for reuse.
    public func makeAssertion(for grant: Grant) async -> String? {
        let lifetime = settings.assertionLifetimeSeconds
        guard let token = try? await grants.identityAssertion(for: grant.identity, audience: settings.assertionAudience, lifetimeSeconds: lifetime)
        else { return nil }
        assertions.remember((token, ContinuousClock.now + .milliseconds(lifetime * 500)), for: grant.id)
        return token
    }

    /// The headers the upstream receives for a request let through (see `HeaderRewrite.request`).
    public func upstreamHeaders(_ head: ProxyRequestHead, route: ProxyRoute, caller: ProxyCaller, assertion: String?) -> [(String, String)] {
        HeaderRewrite.request(head.headers, caller: rewriteCaller(head, route: route, caller: caller, assertion: assertion), settings: settings, rules: headerRules)
    }

    /// `upstreamHeaders(_:route:caller:assertion:)` for one connection's requests, up to the request id
    /// (`RememberedRewrite.headers`; the id goes last): `remembered` is the connection's last rewrite.
    /// The rewrite is a function of the client's headers, the peer, the caller, the assertion, the route
    /// and this proxy alone, so a request alike in all of them (headers byte for byte) gets that same
    /// rewrite back, not made again; anything else is rewritten and remembered.
    public func rewrite(
        _ head: ProxyRequestHead, route: ProxyRoute, caller: ProxyCaller, assertion: String?, remembered: inout RememberedRewrite?
    ) -> RememberedRewrite {
        if let last = remembered, last.proxy === self, last.route === route, last.caller === caller, last.assertion == assertion,
            last.clientAddress == head.clientAddress, last.matches(head.headers)
        {
            return last
        }
        let rewrite = rewriteCaller(head, route: route, caller: caller, assertion: assertion)
        let made = RememberedRewrite(
            proxy: self, route: route, caller: caller, assertion: assertion, clientAddress: head.clientAddress, client: head.headers,
            headers: HeaderRewrite.rewritten(head.headers, caller: rewrite, settings: settings, rules: headerRules))
        remembered = made
        return made
    }

    private func rewriteCaller(_ head: ProxyRequestHead, route: ProxyRoute, caller: ProxyCaller, assertion: String?) -> HeaderRewrite.Caller {
        var rewrite = HeaderRewrite.Caller(
            identityHeaders: caller.identityHeaders, assertion: assertion, authorizationWasOurs: caller.authorizationWasOurs,
            methodIsRestricted: !route.settings.methods.isEmpty, clientAddress: head.clientAddress, requestID: head.requestID)
        rewrite.upstreamArtifacts = legacyArtifacts(of: caller, for: route)
        return rewrite
    }

    /// The path and query the upstream is asked for.
    public func upstreamTarget(_ head: ProxyRequestHead, route: ProxyRoute) -> String {
        Self.target(path: upstreamPath(head.path, route: route), query: head.query)
    }

    /// The path the upstream is asked for (`head.path` after `admit`): a function of path and route alone.
    public func upstreamPath(_ path: String, route: ProxyRoute) -> String {
        route.upstreamPath(for: path)
    }

    /// A request target: the path, and the query when there is one.
    public static func target(path: String, query: String?) -> String {
        query.map { path + "?" + $0 } ?? path
    }

    /// 401, or for a browser (`Accept: text/html`) a 302 to the sign-in page when one is configured.
    func unauthenticated(_ head: ProxyRequestHead) -> ProxyAnswer {
        let request = OriginalRequest(
            method: head.method, scheme: "http", host: Self.header("host", in: head.headers), path: head.path, query: head.query)
        return unauthenticated(request, browserHeaders: head.headers)
    }

    /// 401, or the sign-in redirect for a browser (`Accept: text/html` in `browserHeaders`, `request` a
    /// `GET`/`HEAD`) when `proxy.signInPage` is set, with `request`'s URL to come back to (its host only
    /// when allow-listed: the host is the caller's to write).
    func unauthenticated(_ request: OriginalRequest, browserHeaders: [(String, String)]) -> ProxyAnswer {
        guard let page = settings.signInPage, request.method == "GET" || request.method == "HEAD",
            Self.header("accept", in: browserHeaders)?.lowercased().contains("text/html") == true
        else { return .unauthorized }
        return .signIn(page: page, returnURL: request.returnURL(allowedHosts: settings.returnURLHosts))
    }

    /// Whether `host` is only a host name or address and a port: safe to write into a return URL.
    static func isPlainHost(_ host: String) -> Bool {
        host.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "[" || $0 == "]" }
    }

    /// The legacy upstream's own artifacts kept on the caller's grant, when this route leads to that upstream.
    func legacyArtifacts(of caller: ProxyCaller, for route: ProxyRoute) -> [String: String] {
        // Field by field: binding the whole grant out of `caller` would copy it.
        guard let artifacts = caller.grant?.upstreamArtifacts, !artifacts.isEmpty, let authenticator = caller.grant?.identity.authenticator
        else { return [:] }
        if let named = route.settings.legacySession { return named == authenticator ? artifacts : [:] }
        guard let origin = legacyOrigins[authenticator], route.origins.contains(origin) else { return [:] }
        return artifacts
    }

    func forward(
        _ head: ProxyRequestHead, route: ProxyRoute, headers: [(String, String)], body: UpstreamRequestBody?, logger: Logger
    ) async -> ProxyOutcome {
        let target = upstreamTarget(head, route: route)
        for base in route.pool.order() {
            var request = UpstreamRequest(
                method: head.method, url: Self.join(base, target), headers: headers, timeoutSeconds: 0,
                connectTimeoutSeconds: Double(settings.connectTimeoutSeconds))
            request.idleTimeoutSeconds = Double(route.settings.timeoutSeconds)
            do {
                let response = try await client.stream(request, body: body)
                route.pool.answered(base)
                let contentLength = Self.contentLength(of: response.head.headers)
                let headers = clientHeaders(response.head.headers, route: route, upstream: base)
                return .upstream(status: response.head.status, headers: headers, contentLength: contentLength, body: response.body)
            } catch UpstreamError.couldNotConnect {
                route.pool.refused(base)
                logger.warning("upstream refused the connection", metadata: ["route": "\(route.settings.name)", "upstream": "\(redactingUserInfo(base))"])
                // A streamed body may already be partly consumed: only a bodiless request is retried.
                if body != nil { return .answer(.badGateway) }
            } catch UpstreamError.timedOut {
                logger.warning("upstream timed out", metadata: ["route": "\(route.settings.name)", "upstream": "\(redactingUserInfo(base))"])
                return .answer(.gatewayTimeout)
            } catch is CancellationError {
                return .answer(.badGateway)
            } catch {
                logger.warning("upstream failed", metadata: ["route": "\(route.settings.name)", "upstream": "\(redactingUserInfo(base))", "error": "\(error)"])
                return .answer(.badGateway)
            }
        }
        return .answer(.badGateway)
    }

    // MARK: Small helpers

    /// The most presented artifacts tried for one request (every carrier of every dialect fits).
    static let artifactsTried = 8

    static func header(_ lowercasedName: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0.equalsIgnoringASCIICase(lowercasedName) }?.1
    }

    /// The body length the upstream's headers announce, nil when unknown. With any `Transfer-Encoding`
    /// the body is framed by it and a `Content-Length` beside it means nothing (RFC 9112 §6.3): libcurl
    /// de-chunks such an answer and ignores the length, so passing it on would announce the wrong size.
    public static func contentLength(of headers: [(String, String)]) -> Int? {
        guard header("transfer-encoding", in: headers) == nil else { return nil }
        return header("content-length", in: headers).flatMap { Int($0) }
    }

    /// `base` (maybe with a path of its own) followed by `target` (starting with `/`).
    static func join(_ base: String, _ target: String) -> String {
        base.hasSuffix("/") ? String(base.dropLast()) + target : base + target
    }

    /// `scheme://host:port` of a URL, the port spelled out, lower-cased; nil when unparsable.
    public static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased()
        else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }
}
