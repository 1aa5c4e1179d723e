import Foundation
import Authentication
import Dialects
import GatehouseCore
import Grants
import Logging
import Proxy
import Stores
import Upstream

extension Gateway {
    /// Builds the gateway a configuration describes: dialects, authenticator chain, keys and grant store.
    /// Throws `ConfigError` for what only shows when the parts are built (an unreadable password hash).
    ///
    /// - Parameters:
    ///   - state: an already opened store to use (a reload keeps the running one); opened from `config` when nil.
    ///   - metrics: the registry to record into; a reload keeps the running one.
    public static func build(
        _ config: GatewayConfig, logger: Logger = Logger(label: "gatehouse"), state opened: StateStore? = nil,
        metrics: GatewayMetrics = GatewayMetrics()
    ) async throws -> Gateway {
        // One libcurl client (one thread, one connection cache) for every upstream, made only when one is configured.
        let needsClient = config.authenticators.contains { if case .upstream = $0 { true } else { false } }
        let authenticators = try makeAuthenticators(config, client: needsClient ? UpstreamClient() : nil)
        let locals = authenticators.compactMap { $0 as? LocalAuthenticator }
        let state: StateStore
        if let opened {
            state = opened
        } else {
            state = try await StateStore.open(config.store, stateDirectory: config.stateDirectory, logger: logger)
        }
        let keys = try await GrantKeys.load(config.keys, stateDirectory: config.stateDirectory, shared: state.sharedKeys)
        let grants = try await GrantService(
            config: config, keys: keys, store: state.grants,
            partnerUser: { id in locals.lazy.compactMap { $0.identity(numericID: id) }.first })
        let dialects = makeDialects(config.dialects, cookies: config.server.cookiePolicy)
        try checkRoutes(config, dialects: dialects)
        // Always made: forward auth decides by its routes (or `authz.defaultPolicy` without any). Its own
        // client: proxied traffic is not held to the sign-in client's 32 connections, and gets one curl
        // thread per core when some route has an upstream.
        let proxies = config.routes.contains { !$0.upstreams.isEmpty }
        let client = UpstreamClient(
            maxConnectionsPerHost: proxies ? Self.proxyConnectionsPerHost : 1, threads: proxies ? ProcessInfo.processInfo.activeProcessorCount : 1)
        let proxy: ReverseProxy? = ReverseProxy(
            routes: RouteTable(config.routes), settings: config.proxy, authz: config.authz, grants: grants, client: client,
            legacyOrigins: legacyOrigins(config))
        return Gateway(
            dialects: dialects, chain: AuthenticatorChain(authenticators),
            lockout: Lockout(settings: config.lockout, store: state.lockouts, onLock: { event in
                metrics.lockout(dialect: event.request.dialect, scope: event.scope)
                Audit.lockout(
                    scope: event.scope, subject: event.subject, request: event.request, retryAfterSeconds: event.retryAfterSeconds,
                    logger: logger)
            }),
            grants: grants, proxy: proxy, state: state, metrics: metrics)
    }

    /// Connections each proxy curl thread keeps to one upstream host.
    static let proxyConnectionsPerHost = 256

    /// Paths Gatehouse answers itself besides the dialects'.
    static let reservedPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/.well-known/jwks.json"]

    /// Routes whose prefix Gatehouse itself answers could never be reached: a configuration error.
    static func checkRoutes(_ config: GatewayConfig, dialects: [any Dialect]) throws(ConfigError) {
        var issues: [ConfigIssue] = []
        for (index, route) in config.routes.enumerated() {
            let path = route.normalizedPrefix
            if reservedPaths.contains(path) || ForwardAuthConvention(path: path) != nil || ["GET", "POST"].contains(where: { claim(dialects, method: $0, path: path) == .endpoint }) {
                issues.append(ConfigIssue(
                    path: "routes[\(index)].pathPrefix", message: "'\(route.pathPrefix)' is answered by Gatehouse itself, so the route is unreachable"))
            }
        }
        if !issues.isEmpty { throw ConfigError(issues: issues) }
    }

    /// Authenticator name → origin of its upstream URL.
    static func legacyOrigins(_ config: GatewayConfig) -> [String: String] {
        var origins: [String: String] = [:]
        for case .upstream(let upstream) in config.authenticators {
            origins[upstream.name] = ReverseProxy.origin(of: upstream.url.replacingOccurrences(of: "{route}", with: "route"))
        }
        return origins
    }

    /// Checks what `GatewayConfig.parse` cannot: that every part can be built (password hashes, supported
    /// authenticator and store types, reachable routes, a configured signing key), reporting every problem
    /// at once. Touches no files.
    public static func validate(_ config: GatewayConfig) throws(ConfigError) {
        var issues: [ConfigIssue] = []
        func check(_ part: () throws(ConfigError) -> Void) {
            do throws(ConfigError) { try part() } catch { issues += error.issues }
        }
        check { () throws(ConfigError) in _ = try makeAuthenticators(config, client: nil) }
        check { () throws(ConfigError) in try checkRoutes(config, dialects: makeDialects(config.dialects)) }
        check { () throws(ConfigError) in try GrantKeys.validate(config.keys) }
        if !issues.isEmpty { throw ConfigError(issues: issues) }
    }

    /// The registry of dialects: adding one is one line here.
    static func makeDialects(_ settings: DialectSettings, cookies: CookiePolicy = CookiePolicy()) -> [any Dialect] {
        var dialects: [any Dialect] = []
        if settings.sso.enabled { dialects.append(SSODialect(settings: settings.sso)) }
        if settings.webapi.enabled { dialects.append(WebAPIDialect(settings: settings.webapi)) }
        if settings.baas.enabled { dialects.append(BaaSDialect(settings: settings.baas)) }
        if settings.servicestack.enabled { dialects.append(ServiceStackDialect(settings: settings.servicestack, cookies: cookies)) }
        // Last: `/{route}/SignIn` is the loosest pattern.
        if settings.aspnet.enabled { dialects.append(AspNetDialect(settings: settings.aspnet, cookies: cookies)) }
        return dialects
    }

    /// The authenticator chain in configured order, every problem reported at once.
    /// `client` is the one libcurl client every upstream authenticator shares; `nil` only checks the settings.
    static func makeAuthenticators(_ config: GatewayConfig, client: UpstreamClient?) throws(ConfigError) -> [any Authenticator] {
        var issues: [ConfigIssue] = []
        var chain: [any Authenticator] = []
        for settings in config.authenticators {
            switch settings {
            case .local(let local):
                do throws(ConfigError) {
                    chain.append(try LocalAuthenticator(settings: local))
                } catch {
                    issues += error.issues
                }
            case .upstream(let upstream):
                if let client { chain.append(UpstreamAuthenticator(settings: upstream, client: client)) }
            }
        }
        if !issues.isEmpty { throw ConfigError(issues: issues) }
        return chain
    }
}
