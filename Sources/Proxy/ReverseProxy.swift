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
public struct ReverseProxy: Sendable {
    let routes: RouteTable
    let settings: ProxySettings
    let grants: GrantService
    let client: UpstreamClient
    /// Authenticator name → origin of its upstream URL (`http://host:port`), to know whose
    /// kept artifacts belong to which route.
    let legacyOrigins: [String: String]
    /// `settings.identityHeaderNames`, made once rather than on every request.
    let identityNames: Set<String>

    public init(routes: RouteTable, settings: ProxySettings, grants: GrantService, client: UpstreamClient, legacyOrigins: [String: String]) {
        self.routes = routes
        self.settings = settings
        self.grants = grants
        self.client = client
        self.legacyOrigins = legacyOrigins
        self.identityNames = settings.identityHeaderNames
    }

    /// How long one write to a client may wait for it to read (`proxy.sendTimeoutSeconds`).
    public var sendTimeout: Duration { .seconds(settings.sendTimeoutSeconds) }

    /// The route for a request, nil when no route takes it: matched on the normalized path (see
    /// `ProxyPath.normalized`), the one the upstream will receive.
    public func route(method: String, host: String?, path: String) -> ProxyRoute? {
        routes.match(method: method, host: host, path: ProxyPath.normalized(path) ?? path)
    }

    /// Checks and forwards one request. `startBody` is called once the request is let through: it
    /// starts streaming the client's body and returns it (nil: the request has none).
    public func handle(
        _ head: ProxyRequestHead, route: ProxyRoute, logger: Logger, startBody: () -> UpstreamRequestBody?
    ) async -> ProxyOutcome {
        guard let path = ProxyPath.normalized(head.path), ProxyPath.isSafe(path) else { return .answer(.badPath) }
        // RFC 9112 §3.2: more than one Host is a 400. Routing and the return URL would read different ones.
        guard head.headers.lazy.filter({ $0.0.equalsIgnoringASCIICase("host") }).count <= 1 else { return .answer(.duplicateHost) }
        var head = head
        head.path = path
        let (grant, bearerWasOurs): (Grant?, Bool)
        do {
            (grant, bearerWasOurs) = try await resolve(head.headers)
        } catch {
            logger.error("grant store failed", metadata: ["route": "\(route.settings.name)"])
            return .answer(.json(503, error: "service_unavailable", message: "Sign-ins cannot be checked right now."))
        }
        if route.settings.policy == .authenticated {
            guard let grant else { return .answer(unauthenticated(head)) }
            if !route.settings.roles.isEmpty, !grant.identity.roles.contains(where: { route.settings.roles.contains($0.name) }) {
                logger.debug("proxy refused", metadata: ["route": "\(route.settings.name)", "reason": "missing_role"])
                return .answer(.forbidden)
            }
        }
        var caller = HeaderRewrite.Caller(
            identity: grant?.identity, authorizationWasOurs: bearerWasOurs, methodIsRestricted: !route.settings.methods.isEmpty,
            clientAddress: head.clientAddress, requestID: head.requestID)
        if let grant {
            caller.upstreamArtifacts = legacyArtifacts(of: grant, for: route)
            if settings.assertionHeader != nil {
                caller.assertion = try? await grants.identityAssertion(
                    for: grant.identity, audience: settings.assertionAudience, lifetimeSeconds: settings.assertionLifetimeSeconds)
            }
        }
        let headers = HeaderRewrite.request(head.headers, caller: caller, settings: settings, identityNames: identityNames)
        return await forward(head, route: route, headers: headers, body: startBody(), logger: logger)
    }

    // MARK: Steps

    /// The first live grant among the presented artifacts, and whether `Authorization` held one of
    /// ours: the bearer that opened the grant, or any JWT naming Gatehouse's key, live or not.
    func resolve(_ headers: [(String, String)]) async throws -> (Grant?, Bool) {
        let authorizationBearers = headers.compactMap { name, value in
            name.equalsIgnoringASCIICase("authorization") ? PresentedArtifacts.bearerToken(value) : nil
        }
        var grant: Grant?
        // A real client presents a few; checking each costs a signature verification, so hundreds
        // packed into one request are not all tried.
        for artifact in PresentedArtifacts.find(in: headers).prefix(Self.artifactsTried) {
            grant = try await grants.resolveAny(artifact)
            guard let grant else { continue }
            if case .bearer(let token) = artifact, authorizationBearers.contains(token) { return (grant, true) }
            break
        }
        return (grant, authorizationBearers.contains { grants.namesOurKey($0) })
    }

    /// 401, or for a browser (`Accept: text/html`) a 302 to the sign-in page when one is configured.
    func unauthenticated(_ head: ProxyRequestHead) -> ProxyAnswer {
        guard let page = settings.signInPage, head.method == "GET" || head.method == "HEAD",
            Self.header("accept", in: head.headers)?.lowercased().contains("text/html") == true
        else { return .unauthorized }
        let pathAndQuery = head.path + (head.query.map { "?" + $0 } ?? "")
        // Only an allow-listed Host may appear in the return URL: Host is the caller's to write.
        if let host = Self.header("host", in: head.headers), settings.returnURLHosts.contains(RouteTable.hostName(host)),
            host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" || $0 == "[" || $0 == "]" })
        {
            return .signIn(page: page, returnURL: "http://" + host + pathAndQuery)
        }
        return .signIn(page: page, returnURL: pathAndQuery)
    }

    /// The legacy upstream's own artifacts kept on the grant, when this route leads to that upstream.
    func legacyArtifacts(of grant: Grant, for route: ProxyRoute) -> [String: String] {
        guard !grant.upstreamArtifacts.isEmpty else { return [:] }
        let authenticator = grant.identity.authenticator
        if let named = route.settings.legacySession { return named == authenticator ? grant.upstreamArtifacts : [:] }
        guard let origin = legacyOrigins[authenticator], route.origins.contains(origin) else { return [:] }
        return grant.upstreamArtifacts
    }

    func forward(
        _ head: ProxyRequestHead, route: ProxyRoute, headers: [(String, String)], body: UpstreamRequestBody?, logger: Logger
    ) async -> ProxyOutcome {
        let target = route.upstreamPath(for: head.path) + (head.query.map { "?" + $0 } ?? "")
        for base in route.pool.order() {
            var request = UpstreamRequest(
                method: head.method, url: Self.join(base, target), headers: headers, timeoutSeconds: 0,
                connectTimeoutSeconds: Double(settings.connectTimeoutSeconds))
            request.idleTimeoutSeconds = Double(route.settings.timeoutSeconds)
            do {
                let response = try await client.stream(request, body: body)
                route.pool.answered(base)
                let contentLength = Self.contentLength(of: response.head.headers)
                let headers = HeaderRewrite.response(response.head.headers).map { name, value in
                    name.equalsIgnoringASCIICase("location") ? (name, route.clientLocation(value, upstream: base)) : (name, value)
                }
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
    static func contentLength(of headers: [(String, String)]) -> Int? {
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
