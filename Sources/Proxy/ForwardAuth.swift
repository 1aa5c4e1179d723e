import GatehouseCore
import Grants
import Logging

/// How a proxy in front of the legacy services asks Gatehouse "may this request through, and as
/// whom?" (oauth2-proxy's `/oauth2/auth`, Authelia's `/api/authz/*`). Each convention names the
/// original request its own way; the answer is the same: 200 with the identity headers, 401, 403.
public enum ForwardAuthConvention: Sendable, Equatable {
    /// nginx `auth_request`: `X-Original-Method`, `X-Original-URL` (or `X-Original-URI` + `Host`).
    case authRequest
    /// Traefik `forwardAuth`, Caddy `forward_auth`, HAProxy: `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri`.
    case forwardAuth
    /// Envoy `ext_authz` (HTTP service): its own method and `Host`, the path after the prefix, `X-Forwarded-Proto`.
    case extAuthz

    public static let authRequestPath = "/authz/auth-request"
    public static let forwardAuthPath = "/authz/forward-auth"
    public static let extAuthzPrefix = "/authz/ext-authz"

    /// The convention a request path (without its query) asks by; nil for every other path.
    public init?(path: String) {
        if path == Self.authRequestPath {
            self = .authRequest
        } else if path == Self.forwardAuthPath {
            self = .forwardAuth
        } else if path == Self.extAuthzPrefix || path.hasPrefix(Self.extAuthzPrefix + "/") {
            self = .extAuthz
        } else {
            return nil
        }
    }
}

/// The request a forward-auth check is about, as the asking proxy describes it.
public struct OriginalRequest: Sendable, Equatable {
    public var method: String
    public var scheme: String
    public var host: String?
    /// As sent, percent-encoding intact, without the query.
    public var path: String
    public var query: String?

    public init(method: String, scheme: String, host: String?, path: String, query: String?) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
    }

    /// The original request of a check `check` (its own method, path, query and headers) made by
    /// `convention`. The `X-Original-*` / `X-Forwarded-*` headers are believed only when the check
    /// comes from `trusted`; anyone else's check is about the check request itself.
    public static func of(_ check: ProxyRequestHead, convention: ForwardAuthConvention, trusted: Bool) -> OriginalRequest {
        let header = { (name: String) in ReverseProxy.header(name, in: check.headers).flatMap { $0.isEmpty ? nil : $0 } }
        let own = OriginalRequest(
            method: check.method, scheme: (trusted ? header("x-forwarded-proto")?.lowercased() : nil) ?? "http",
            host: header("host"), path: check.path, query: check.query)
        switch convention {
        case .extAuthz:
            var original = own
            let rest = check.path.dropFirst(ForwardAuthConvention.extAuthzPrefix.count)
            original.path = rest.isEmpty ? "/" : String(rest)
            return original
        case .authRequest:
            guard trusted else { return own }
            var original = own
            original.method = header("x-original-method")?.uppercased() ?? own.method
            if let url = header("x-original-url") {
                original.apply(url: url)
            } else if let uri = header("x-original-uri") {
                original.apply(target: uri)
            }
            return original
        case .forwardAuth:
            guard trusted else { return own }
            var original = own
            original.method = header("x-forwarded-method")?.uppercased() ?? own.method
            if let host = header("x-forwarded-host") { original.host = host }
            if let uri = header("x-forwarded-uri") { original.apply(target: uri) }
            return original
        }
    }

    /// `scheme://host/path?query`, or a request target alone.
    private mutating func apply(url: String) {
        guard let separator = url.firstRange(of: "://") else {
            apply(target: url)
            return
        }
        scheme = url[..<separator.lowerBound].lowercased()
        let rest = url[separator.upperBound...]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        host = String(rest[..<hostEnd])
        apply(target: String(rest[hostEnd...]))
    }

    /// `path?query` (`?query` alone is the root's).
    private mutating func apply(target: String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? ""
        self.path = path.isEmpty ? "/" : path
        query = parts.count == 2 ? String(parts[1]) : nil
    }

    /// The URL a browser comes back to after signing in: absolute only for a host in `allowedHosts`
    /// (the host is the caller's to write), else the path and query alone.
    func returnURL(allowedHosts: [String]) -> String {
        let pathAndQuery = path + (query.map { "?" + $0 } ?? "")
        if let host, allowedHosts.contains(RouteTable.hostName(host)), ReverseProxy.isPlainHost(host),
            scheme == "http" || scheme == "https"
        {
            return scheme + "://" + host + pathAndQuery
        }
        return pathAndQuery
    }
}

/// What forward auth answers.
public enum ForwardAuthDecision: Sendable {
    /// Let through: 200 with the identity headers of `caller`'s grant (none without a grant, on a public
    /// route), and the legacy artifacts `route` leads to.
    case allow(caller: ProxyCaller, route: ProxyRoute?)
    /// 400, 401, 302 or 403 as it stands.
    case refuse(ProxyAnswer)
}

extension ReverseProxy {
    /// Whether `peer` may describe the original request in headers (`authz.trustedProxies`).
    public func isTrustedForAuthz(_ peer: String?) -> Bool {
        authz.trustedProxies.contain(peer)
    }

    /// The decision on `original` for `caller` (read from the check request's own headers, as the
    /// proxy reads them), by the policy of the route matching the original host and path, or
    /// `authz.defaultPolicy` where none does. `checkHeaders` say whether a browser is asking.
    public func decide(
        _ original: OriginalRequest, convention: ForwardAuthConvention, checkHeaders: [(String, String)], caller: ProxyCaller,
        logger: Logger
    ) -> ForwardAuthDecision {
        guard let path = ProxyPath.normalized(original.path), ProxyPath.isSafe(path) else { return .refuse(.badPath) }
        let route = routes.match(method: original.method, host: original.host, path: path)
        let policy: AuthzSettings.DefaultPolicy
        if let route {
            policy = route.settings.policy == .public ? .public : .authenticated
        } else {
            policy = authz.defaultPolicy
        }
        switch policy {
        case .deny:
            logger.debug("forward auth refused", metadata: ["reason": "no_route"])
            return .refuse(.noRoute)
        case .public:
            return .allow(caller: caller, route: route)
        case .authenticated:
            guard caller.isSignedIn else {
                return .refuse(unauthenticated(original, convention: convention, checkHeaders: checkHeaders))
            }
            if let route, !caller.holdsARole(for: route) {
                logger.debug("forward auth refused", metadata: ["route": "\(route.settings.name)", "reason": "missing_role"])
                return .refuse(.forbidden)
            }
            return .allow(caller: caller, route: route)
        }
    }

    /// The answer to a forward-auth check `check` from `caller` (its artifacts read as the proxy reads
    /// them), up to the assertion: nil when the check is allowed and an assertion must be signed first
    /// (`makeAssertion(for:)`, then `allowedHeaders`), with the route that needs it.
    public func forwardAuthAnswer(
        _ check: ProxyRequestHead, convention: ForwardAuthConvention, caller: ProxyCaller, logger: Logger
    ) -> (answer: ProxyAnswer?, route: ProxyRoute?) {
        let original = OriginalRequest.of(check, convention: convention, trusted: isTrustedForAuthz(check.clientAddress))
        switch decide(original, convention: convention, checkHeaders: check.headers, caller: caller, logger: logger) {
        case .refuse(let refusal): return (refusal, nil)
        case .allow(let caller, let route): return (allowedAnswer(caller: caller, route: route), route)
        }
    }

    /// `forwardAuthAnswer(_:convention:caller:logger:)` for one connection's checks: `remembered` is the
    /// connection's last check let through. The answer is a function of the check's method, path, query
    /// and headers, its peer, the caller and this proxy, and of the assertion signed a moment ago: a check
    /// alike in all of them (bytes compared) gets the same answer, not decided again. `decision` is the
    /// remembered check the answer is (nil for a refusal, which is decided, and logged, every time).
    public func forwardAuthAnswer(
        _ check: ProxyRequestHead, convention: ForwardAuthConvention, caller: ProxyCaller, logger: Logger,
        remembered: inout RememberedDecision?
    ) -> (answer: ProxyAnswer, decision: RememberedDecision?)? {
        let assertion = assertionState(of: caller)
        if let last = remembered, last.proxy === self, last.caller === caller, last.assertion == assertion, last.isFor(check, convention) {
            return (last.answer, last)
        }
        guard let answer = forwardAuthAnswer(check, convention: convention, caller: caller, logger: logger).answer else { return nil }
        guard answer.status == 200 else { return (answer, nil) }
        let decision = RememberedDecision(proxy: self, caller: caller, assertion: assertion, check: check, convention: convention, answer: answer)
        remembered = decision
        return (answer, decision)
    }

    /// Whether `decision` is still this proxy's answer to the very check it was made for, that check's
    /// artifacts having found `caller` (`knownCaller(_:remembered:)`): the same proxy, the check behind the
    /// caller still holding, the same assertion. What `forwardAuthAnswer(…remembered:)` would answer the
    /// same bytes again with, told without reading them again.
    public func stillAnswers(_ decision: RememberedDecision, caller: RememberedCaller) -> Bool {
        guard decision.proxy === self, let known = stillKnown(caller), known === decision.caller else { return false }
        return assertionState(of: known) == decision.assertion
    }

    private func assertionState(of caller: ProxyCaller) -> AssertionState {
        (caller.grant?.id).map { cachedAssertion(forGrant: $0) } ?? .notConfigured
    }

    /// The 200 for an allowed check when its assertion, if one is configured, is at hand; nil when one
    /// must be signed first (`makeAssertion(for:)`, then `allowedHeaders`).
    public func allowedAnswer(caller: ProxyCaller, route: ProxyRoute?) -> ProxyAnswer? {
        var assertion: String?
        if let grantID = caller.grant?.id {
            switch cachedAssertion(forGrant: grantID) {
            case .notConfigured: break
            case .ready(let token): assertion = token
            case .toMake: return nil
            }
        }
        return ProxyAnswer(status: 200, headers: allowedHeaders(caller: caller, route: route, assertion: assertion), body: [])
    }

    /// The headers of a 200: the identity, the assertion, and the legacy session the route leads to
    /// (its bearer as `Authorization`, its cookies in one `Cookie`), for the asking proxy to copy
    /// onto the request it lets through. Nobody signed in (a public route): the identity headers
    /// empty, so a proxy that copies them replaces whatever the client sent under those names
    /// (Traefik keeps the client's when the answer lacks one; Caddy 2.6 writes its placeholder).
    public func allowedHeaders(caller: ProxyCaller, route: ProxyRoute?, assertion: String?) -> [(String, String)] {
        guard caller.isSignedIn else { return [(settings.userHeader, ""), (settings.emailHeader, ""), (settings.rolesHeader, "")] }
        var out = caller.identityHeaders
        if let assertion = HeaderRewrite.assertionHeader(assertion, settings: settings) { out.append(assertion) }
        guard let route else { return out }
        let artifacts = legacyArtifacts(of: caller, for: route)
        let cookies = HeaderRewrite.legacyCookies(artifacts)
        if !cookies.isEmpty { out.append(("Cookie", cookies.map { "\($0.0)=\($0.1)" }.joined(separator: "; "))) }
        if let bearer = artifacts["bearer"] { out.append(("Authorization", "Bearer \(HeaderRewrite.clean(bearer))")) }
        return out
    }

    /// 401 with `WWW-Authenticate`. A browser (`Accept: text/html`, the original a `GET`/`HEAD`) is
    /// sent to `proxy.signInPage` when one is set: by 302, or for nginx's `auth_request` — which can
    /// only pass on 401 and 403 — by a 401 carrying the sign-in URL in `Location` for `error_page`.
    func unauthenticated(_ original: OriginalRequest, convention: ForwardAuthConvention, checkHeaders: [(String, String)]) -> ProxyAnswer {
        let redirect = unauthenticated(original, browserHeaders: checkHeaders)
        guard convention == .authRequest, redirect.status == 302 else { return redirect }
        var answer = ProxyAnswer.unauthorized
        answer.headers += redirect.headers
        return answer
    }
}

/// A connection's last forward-auth check let through, and everything its answer was decided from
/// (`ReverseProxy.forwardAuthAnswer(_:convention:caller:logger:remembered:)`).
public final class RememberedDecision: Sendable {
    fileprivate let proxy: ReverseProxy
    fileprivate let caller: ProxyCaller
    fileprivate let assertion: AssertionState
    private let check: ProxyRequestHead
    private let convention: ForwardAuthConvention
    public let answer: ProxyAnswer

    fileprivate init(
        proxy: ReverseProxy, caller: ProxyCaller, assertion: AssertionState, check: ProxyRequestHead, convention: ForwardAuthConvention,
        answer: ProxyAnswer
    ) {
        self.proxy = proxy
        self.caller = caller
        self.assertion = assertion
        self.check = check
        self.convention = convention
        self.answer = answer
    }

    /// Whether `check` asks what the remembered check asked: method, path, query, peer and headers, bytes compared.
    fileprivate func isFor(_ other: ProxyRequestHead, _ otherConvention: ForwardAuthConvention) -> Bool {
        convention == otherConvention && check.method == other.method && check.path.isByteForByte(other.path)
            && check.query.isByteForByte(other.query) && check.clientAddress == other.clientAddress && isByteForByte(check.headers, other.headers)
    }
}
