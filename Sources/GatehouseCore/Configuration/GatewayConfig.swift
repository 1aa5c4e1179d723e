import Foundation

/// The whole of `gateway.json`, parsed and validated once at start-up.
/// Request handling reads these typed values, never the raw document.
public struct GatewayConfig: Sendable {
    public var server: ServerSettings
    /// Where generated keys (and later the SQLite store) are kept.
    public var stateDirectory: String
    public var keys: KeySettings
    public var dialects: DialectSettings
    public var authenticators: [AuthenticatorSettings]
    public var store: StoreSettings
    /// Brute-force protection: failure counters per account and per client address.
    public var lockout: LockoutSettings
    public var routes: [RouteSettings]
    /// How proxied requests are checked and what the upstream services receive.
    public var proxy: ProxySettings
    /// Forward auth: how `/authz/*` decides for another proxy.
    public var authz: AuthzSettings = AuthzSettings()
}

/// `authz`: the forward-auth endpoints' own settings; route policies and identity headers are the proxy's.
public struct AuthzSettings: Sendable {
    /// What a request no route matches gets.
    public enum DefaultPolicy: String, Sendable {
        case authenticated, `public`, deny
    }

    public var defaultPolicy: DefaultPolicy
    /// Peers whose `X-Original-*` / `X-Forwarded-*` description of the original request is believed.
    public var trustedProxies: [IPNetwork]

    public init(defaultPolicy: DefaultPolicy = .authenticated, trustedProxies: [IPNetwork]? = nil) {
        self.defaultPolicy = defaultPolicy
        self.trustedProxies = trustedProxies ?? Self.loopback
    }

    /// `127.0.0.0/8` and `::1`: the default, for a proxy on the same machine.
    public static let loopback = ["127.0.0.0/8", "::1"].compactMap(IPNetwork.init)
}

public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// Sign-in bodies larger than this are refused in the dialect's own shape.
    public var maxBodyBytes: Int
    /// A client connection that sends nothing for this long — idle between requests, or stalled in the
    /// middle of one (a "slowloris") — is closed. An answer still being written is not idle.
    public var idleTimeoutSeconds: Int = 75
    /// After SIGTERM: no new connections, and requests in flight get this long to finish.
    public var shutdownGraceSeconds: Int = 10
    /// HTTPS (HTTP/1.1 and HTTP/2 by ALPN) instead of plain HTTP/1.1 when set.
    public var tls: TLSSettings?
    /// `SameSite` on every session cookie; nil (`"off"`) leaves each dialect's own attributes.
    public var sameSite: String? = "Lax"

    /// What every cookie Gatehouse sets gets on top of its dialect's own attributes.
    public var cookiePolicy: CookiePolicy { CookiePolicy(secure: tls != nil, sameSite: sameSite) }
}

/// `server.tls`: PEM files, read at start-up and on reload.
public struct TLSSettings: Sendable, Equatable {
    public var certificateFile: String
    public var keyFile: String

    public init(certificateFile: String, keyFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// Cookie attributes the server decides rather than a dialect: `Secure` when served over TLS, and
/// one `SameSite` for every cookie.
public struct CookiePolicy: Sendable, Equatable {
    public var secure: Bool
    /// Replaces a dialect's own `SameSite` when set.
    public var sameSite: String?

    public init(secure: Bool = false, sameSite: String? = nil) {
        self.secure = secure
        self.sameSite = sameSite
    }
}

/// Signing and sealing keys; each one absent is generated once and kept under `stateDirectory`.
public struct KeySettings: Sendable {
    /// PEM of a P-256 private key: signs every JWT Gatehouse issues (ES256).
    public var jwtPrivateKeyPEM: String?
    /// Base64 of 32 bytes: seals `.AspNet.ApplicationCookie` tickets (AES-256-GCM).
    public var cookieSealingKey: String?
    /// How often a running gatehouse reloads stored keys, to pick up a rotation.
    public var refreshSeconds: Int = 10
}

public struct DialectSettings: Sendable {
    public var aspnet: AspNetSettings
    public var sso: SSOSettings
    public var webapi: WebAPISettings
    public var baas: BaaSSettings
    public var servicestack: ServiceStackSettings

    /// Whether dialect `id` is switched on.
    public func isEnabled(_ id: DialectID) -> Bool {
        switch id {
        case .aspnet: aspnet.enabled
        case .sso: sso.enabled
        case .webapi: webapi.enabled
        case .baas: baas.enabled
        case .servicestack: servicestack.enabled
        }
    }
}

public struct AspNetSettings: Sendable {
    public var enabled: Bool
    /// The `{route}` segments this gateway answers for; any other is 404.
    public var routes: [String]
    /// How long the ticket inside the cookie lives, persistent or not (Katana's ExpireTimeSpan).
    public var ticketLifetimeSeconds: Int
    /// `Domain` in `ResponseCookies`; the request's host when absent.
    public var cookieDomain: String?
    /// Adds `secure` to the cookie (and `Secure: true` in `ResponseCookies`).
    public var secureCookies: Bool
}

public struct SSOSettings: Sendable {
    public var enabled: Bool
    public var path: String
    /// The HS256 secret trusted partners sign their own access tokens with.
    public var sharedSecret: String?
}

public struct WebAPISettings: Sendable {
    public var enabled: Bool
    public var path: String
    public var tokenLifetimeSeconds: Int
    public var issuer: String
    public var audience: String
    /// `ApiKeyHolder` in the answer; `null` when absent.
    public var apiKeyHolder: String?
    public var classVersion: Int
    /// `WebApiVersion` as `[Major, Minor, Build]`.
    public var version: [Int]
}

public struct BaaSSettings: Sendable {
    public var enabled: Bool
    /// Where `signin`, `signout` and `verify` live.
    public var pathPrefix: String
    /// Accepted `X-Api-Key` values: `type identifier uuid`.
    public var apiKeys: [String]
}

/// How ServiceStack answers are cased.
public enum TextCase: String, Sendable {
    /// As the request was: a camelCase body gets a camelCase answer.
    case auto
    case pascalCase = "PascalCase"
    case camelCase = "camelCase"
}

public struct ServiceStackSettings: Sendable {
    public var enabled: Bool
    public var textCase: TextCase
    /// `iss` of the bearer and refresh tokens (ServiceStack's default is `ssjwt`).
    public var issuer: String
    public var bearerTokenLifetimeSeconds: Int
    public var refreshTokenLifetimeSeconds: Int
    /// How long a session (`ss-id`) lives on the server.
    public var sessionLifetimeSeconds: Int
    /// Put `BearerToken`/`RefreshToken` in `ss-tok`/`ss-reftok` cookies for every sign-in.
    public var useTokenCookie: Bool
}

/// One link of the authenticator chain.
public enum AuthenticatorSettings: Sendable {
    case local(LocalAuthenticatorSettings)
    case upstream(UpstreamAuthenticatorSettings)

    public var name: String {
        switch self {
        case .local(let l): l.name
        case .upstream(let u): u.name
        }
    }
}

public struct LocalAuthenticatorSettings: Sendable {
    public var name: String
    public var users: [LocalUser]
    /// Role names to their legacy ids and display names (ASP.NET `Roles`).
    public var roleDefinitions: [String: RoleDefinition]
    /// Where each user's `passwordHash` came from, for error messages (`authenticators[0].users[2]`).
    public var userPaths: [String]
}

public struct RoleDefinition: Sendable, Equatable {
    public var id: String
    public var displayName: String
}

/// A user of a local authenticator, as `gateway.json` lists it.
public struct LocalUser: Sendable {
    public var id: Int
    public var uuid: String?
    public var externalId: Int?
    public var username: String
    public var email: String
    public var otherEmails: EmailAddresses
    public var passwordHash: String
    public var displayName: String?
    public var name: PersonName
    public var roles: [String]
    public var permissions: [String]
    public var tags: [Int]
    public var extras: [String: String]
    public var active: Bool
    public var createdAt: Date?
    public var updatedAt: Date?
}

public struct UpstreamAuthenticatorSettings: Sendable {
    public var name: String
    public var dialect: DialectID
    public var url: String
    public var timeoutSeconds: Int
    /// The `X-Api-Key` Gatehouse presents to a BaaS upstream.
    public var apiKey: String?
    public var connectTimeoutSeconds: Int
    /// PEM files: CAs to trust, and a client certificate and key for mutual TLS.
    public var caFile: String?
    public var clientCertificate: String?
    public var clientKey: String?
}

public enum StoreKind: String, Sendable {
    case memory, sqlite, postgres
}

/// `store`: where grants, handles, revocations, lockout counters (and, for `postgres`, keys) live.
public struct StoreSettings: Sendable, Equatable {
    public var type: StoreKind
    /// `postgres`: libpq's URL form, `postgres://user:password@host:port/database?sslmode=…`.
    public var url: String?
    /// `sqlite`: the database file; nil means `<stateDirectory>/gatehouse.sqlite`.
    public var path: String?
    /// How long one database call may take before the request it serves is answered 503.
    public var timeoutSeconds: Int = 2

    public init(type: StoreKind, url: String? = nil, path: String? = nil, timeoutSeconds: Int = 2) {
        self.type = type
        self.url = url
        self.path = path
        self.timeoutSeconds = timeoutSeconds
    }
}

/// One failure counter's rule: `maxFailures` within `windowSeconds` lock for `lockSeconds`.
public struct LockoutRule: Sendable, Equatable {
    public var maxFailures: Int
    public var windowSeconds: Int
    public var lockSeconds: Int

    public init(maxFailures: Int, windowSeconds: Int, lockSeconds: Int) {
        self.maxFailures = maxFailures
        self.windowSeconds = windowSeconds
        self.lockSeconds = lockSeconds
    }
}

/// `lockout`: failed password sign-ins are counted per account (across every dialect and replica) and
/// per client address; either counter reaching its limit refuses sign-ins until its lock ends.
public struct LockoutSettings: Sendable, Equatable {
    public var enabled: Bool
    /// Per account; unknown logins are counted too, under the login as typed (case folded).
    public var account: LockoutRule
    /// Per client address: much higher, so that many users behind one NAT are not locked out together.
    public var address: LockoutRule

    public init(
        enabled: Bool = true,
        account: LockoutRule = LockoutRule(maxFailures: 10, windowSeconds: 900, lockSeconds: 900),
        address: LockoutRule = LockoutRule(maxFailures: 100, windowSeconds: 900, lockSeconds: 900)
    ) {
        self.enabled = enabled
        self.account = account
        self.address = address
    }
}

public enum RoutePolicy: String, Sendable {
    case `public`, authenticated
}

/// One reverse-proxy route of `routes`.
public struct RouteSettings: Sendable {
    public var name: String
    /// Matched on whole path segments: `/crm` (or `/crm/`) takes `/crm` and `/crm/...`, not `/crmx`.
    public var pathPrefix: String
    /// Where requests go, tried round-robin; `upstream` in the document may be one URL or a list.
    public var upstreams: [String]
    /// Only requests for this host (the `Host` header, without port, any case); nil: any host.
    public var host: String?
    /// Only these methods (upper case); empty: every method.
    public var methods: [String]
    public var stripPrefix: Bool
    public var policy: RoutePolicy
    /// With `authenticated`: the caller needs at least one of these roles.
    public var roles: [String]
    /// Idle timeout in seconds: the request fails with 504 after this long without a byte either way
    /// (waiting for the response head included), so long streams are never cut off.
    public var timeoutSeconds: Int
    /// The authenticator whose kept upstream artifacts this route attaches; nil: the one whose
    /// `url` has the same origin as this route's upstream.
    public var legacySession: String?

    /// `pathPrefix` without its trailing slash (`/crm/` and `/crm` are one route); `/` stays `/`.
    public var normalizedPrefix: String {
        var prefix = Substring(pathPrefix)
        while prefix.count > 1, prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        return String(prefix)
    }

    public init(
        name: String, pathPrefix: String, upstreams: [String], host: String?, methods: [String], stripPrefix: Bool,
        policy: RoutePolicy, roles: [String], timeoutSeconds: Int, legacySession: String?
    ) {
        self.name = name
        self.pathPrefix = pathPrefix
        self.upstreams = upstreams
        self.host = host
        self.methods = methods
        self.stripPrefix = stripPrefix
        self.policy = policy
        self.roles = roles
        self.timeoutSeconds = timeoutSeconds
        self.legacySession = legacySession
    }
}

/// `proxy`: what every proxied request gets.
public struct ProxySettings: Sendable {
    public var userHeader: String
    public var emailHeader: String
    public var rolesHeader: String
    /// Header carrying a short-lived ES256 JWT of the identity; nil: no assertion is sent.
    public var assertionHeader: String?
    public var assertionLifetimeSeconds: Int
    public var assertionAudience: String
    /// Where `Accept: text/html` callers without a sign-in are sent (302); nil: they get 401 too.
    public var signInPage: String?
    /// Hosts a return URL may name absolutely; for any other host it is the path alone.
    public var returnURLHosts: [String]
    public var connectTimeoutSeconds: Int
    /// How long one write of a response to a client may wait for the client to read, before the
    /// connection is closed and the upstream transfer dropped (nginx's `send_timeout`).
    public var sendTimeoutSeconds: Int
    /// Peers whose `X-Forwarded-For`, `Forwarded`, `X-Real-IP` and the like are passed on (a proxy
    /// in front of Gatehouse); from anyone else they are removed and replaced by the peer's address.
    public var trustedProxies: [IPNetwork]

    public init(
        userHeader: String = "X-Auth-User", emailHeader: String = "X-Auth-Email", rolesHeader: String = "X-Auth-Roles",
        assertionHeader: String? = nil, assertionLifetimeSeconds: Int = 60, assertionAudience: String = "legacy-services",
        signInPage: String? = nil, returnURLHosts: [String] = [], connectTimeoutSeconds: Int = 2, sendTimeoutSeconds: Int = 60,
        trustedProxies: [IPNetwork] = []
    ) {
        self.userHeader = userHeader
        self.emailHeader = emailHeader
        self.rolesHeader = rolesHeader
        self.assertionHeader = assertionHeader
        self.assertionLifetimeSeconds = assertionLifetimeSeconds
        self.assertionAudience = assertionAudience
        self.signInPage = signInPage
        self.returnURLHosts = returnURLHosts
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.sendTimeoutSeconds = sendTimeoutSeconds
        self.trustedProxies = trustedProxies
    }

    /// Every identity header name Gatehouse sets (and so strips from what callers send).
    public var identityHeaders: [String] {
        [userHeader, emailHeader, rolesHeader] + (assertionHeader.map { [$0] } ?? [])
    }

    /// `identityHeaders` lower-cased, for matching header names in any case.
    public var identityHeaderNames: Set<String> {
        Set(identityHeaders.map { $0.lowercased() })
    }
}
