import Authentication
import Dialects
import Foundation
import GatehouseCore
import Grants
import Logging
import Proxy
import Stores

/// The front door: hands a request to the dialect that claims it, performs what the dialect asks for
/// (authenticate, issue, resolve, revoke, refresh) and lets the dialect shape the answer.
public final class Gateway: Sendable {
    let dialects: [any Dialect]
    let chain: AuthenticatorChain
    /// Brute-force protection around `chain`.
    let lockout: Lockout
    let grants: GrantService
    /// The reverse proxy, when routes are configured.
    let proxy: ReverseProxy?
    /// What `claims` answered for recent method and path pairs. The answer depends on nothing else, and
    /// every request asks before it is proxied or routed: five dialects parsing the path each time were
    /// 2% of a proxied request's CPU time. Only paths up to `memoizedPathLength` bytes are kept: the
    /// path is the client's to choose, and 4096 of the longest a request line may carry would be
    /// hundreds of MiB.
    let claimed = BoundedMemo<String, PathClaim>(capacity: 4096)
    static let memoizedPathLength = 256

    /// The opened store, kept to be closed at shutdown; nil when the caller owns the store.
    let state: StateStore?
    /// What `/metrics` shows; one registry for the life of the process, kept across reloads.
    let metrics: GatewayMetrics

    public init(
        dialects: [any Dialect], chain: AuthenticatorChain, lockout: Lockout, grants: GrantService,
        proxy: ReverseProxy? = nil, state: StateStore? = nil, metrics: GatewayMetrics = GatewayMetrics()
    ) {
        self.dialects = dialects
        self.chain = chain
        self.lockout = lockout
        self.grants = grants
        self.proxy = proxy
        self.state = state
        self.metrics = metrics
    }

    /// How a dialect answers a method and path, before any body is read.
    enum PathClaim: Sendable {
        /// No dialect: a proxied route or the router takes the request.
        case none
        /// One of a dialect's endpoints: always the dialect's.
        case endpoint
        /// Shaped like a dialect's endpoint but naming none (`DialectCall.isUnknownEndpoint`): a
        /// proxied route takes it first, and only without one does the dialect answer.
        case unknownEndpoint
    }

    /// How the dialects answer `method` `path` — decided from method and path alone, before any body is read.
    func claim(method: String, path: String) -> PathClaim {
        guard path.utf8.count <= Self.memoizedPathLength else { return Self.claim(dialects, method: method, path: path) }
        let key = method + " " + path
        if let known = claimed.value(for: key) { return known }
        let answer = Self.claim(dialects, method: method, path: path)
        claimed.remember(answer, for: key)
        return answer
    }

    /// The first dialect whose declared endpoints match the path answers it, as in `respond(to:logger:)`.
    static func claim(_ dialects: [any Dialect], method: String, path: String) -> PathClaim {
        guard let (_, match) = owner(of: path, among: dialects) else { return .none }
        return match.endpoint.isUnknown ? .unknownEndpoint : .endpoint
    }

    /// The dialect whose endpoints `path` names (the first, in configuration order), and the match.
    static func owner(of path: String, among dialects: [any Dialect]) -> (any Dialect, EndpointMatch)? {
        for dialect in dialects {
            if let match = dialect.endpoints.match(path) { return (dialect, match) }
        }
        return nil
    }

    /// The answer of the dialect that claims `request`; `nil` when none does.
    public func respond(to request: WireRequest, logger: Logger) async -> WireResponse? {
        await answer(request, logger: logger)?.response
    }

    /// The answer of the dialect that claims `request`, and which dialect that was; `nil` when none does.
    func answer(_ request: WireRequest, logger: Logger) async -> (response: WireResponse, dialect: DialectID)? {
        // Only the dialect that declared the path parses the request.
        if let (dialect, _) = Self.owner(of: request.path, among: dialects), let call = dialect.decode(request) {
            var logger = logger
            logger[metadataKey: "dialect"] = "\(dialect.id.rawValue)"
            if case .respond(let response) = call.action {
                logger.debug("request refused by dialect", metadata: ["status": "\(response.status)"])
                return (response, dialect.id)
            }
            let result = await perform(call.action, dialect: dialect.id, kinds: dialect.artifactKinds, client: request.remoteAddress, logger: logger)
            return (dialect.encode(result, for: call), dialect.id)
        }
        return nil
    }

    /// Carries out one dialect action against the authenticators and the grant store.
    func perform(
        _ action: DialectAction, dialect: DialectID, kinds: Set<ArtifactKind>, client: String?, logger: Logger
    ) async -> DialectResult {
        do {
            switch action {
            case .signIn(let request):
                return await signIn(request, kinds: kinds, logger: logger)
            case .resolve(let artifact):
                // SSO's sign-in is a bearer check: audited and counted as the sign-in it is to its callers.
                guard dialect == .sso else { return try await resolve(artifact, logger: logger) }
                let started = ContinuousClock.now
                let result = try await resolve(artifact, logger: logger)
                let duration = ContinuousClock.now - started
                let request = SignInRequest(credential: .bearer(""), dialect: .sso, client: ClientContext(address: client))
                switch result {
                case .resolved(let grant, _):
                    metrics.signIn(dialect: .sso, outcome: "granted", authenticator: grant.identity.authenticator, duration: duration)
                    Audit.signIn(
                        request, outcome: "granted", reason: nil, subject: grant.identity.subject,
                        authenticator: grant.identity.authenticator, duration: duration, logger: logger)
                case .failed(let failure):
                    metrics.signIn(dialect: .sso, outcome: Self.reason(failure), authenticator: "none", duration: duration)
                    Audit.signIn(
                        request, outcome: "denied", reason: Self.reason(failure), subject: nil, authenticator: nil,
                        duration: duration, logger: logger)
                default:
                    break
                }
                return result
            case .signOut(let artifacts):
                var revoked: Set<String> = []
                for artifact in artifacts {
                    // Two artifacts of one sign-in (ss-id and ss-pid) name one grant: revoke it, and sign out upstream, once.
                    guard let grant = try await grants.resolveAny(artifact), revoked.insert(grant.id).inserted else { continue }
                    try await grants.revoke(grant)
                    metrics.signOut(dialect: dialect)
                    Audit.signOut(
                        dialect: dialect, subject: grant.identity.subject, authenticator: grant.identity.authenticator,
                        client: client, logger: logger)
                    if !grant.upstreamArtifacts.isEmpty,
                        let vouching = chain.authenticators.first(where: { $0.name == grant.identity.authenticator })
                    {
                        await vouching.signOut(upstreamArtifacts: grant.upstreamArtifacts)
                    }
                }
                return .signedOut
            case .refresh(let token):
                guard let accessToken = try await grants.refreshAccessToken(token) else {
                    logger.debug("refresh refused", metadata: ["reason": "invalid_refresh_token"])
                    return .failed(.invalidCredentials)
                }
                return .refreshed(accessToken: accessToken)
            case .respond:
                return .failed(.invalidCredentials)
            }
        } catch let failure as AuthFailure {
            return .failed(failure)
        } catch {
            // The grant store failing is an outage, never a wrong password.
            logger.error("grant store failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            return .failed(.upstreamUnavailable(upstream: "grant-store"))
        }
    }

    /// Whose grant an artifact names: one of ours, else (a bearer token) an upstream that speaks a bearer dialect.
    func resolve(_ artifact: PresentedArtifact?, logger: Logger) async throws -> DialectResult {
        guard let artifact else { return .failed(.invalidCredentials) }
        if let grant = try await grants.resolveAny(artifact) {
            return .resolved(grant, artifacts: Self.presented(artifact, grant: grant))
        }
        guard case .bearer(let token) = artifact else {
            logger.debug("artifact refused", metadata: ["reason": "invalid_artifact"])
            return .failed(.invalidCredentials)
        }
        // Not one of ours: an upstream that speaks a bearer dialect (sso) may know the token.
        let request = SignInRequest(credential: .bearer(token), dialect: .sso)
        do {
            let identity = try await chain.authenticateKeepingArtifacts(request).identity
            // Nothing is handed out that could find a grant again, so none is saved: a caller
            // checking its token on every request must not grow the store.
            return .resolved(grants.unsavedGrant(identity, for: request), artifacts: IssuedArtifacts())
        } catch let failure as AuthFailure {
            logger.debug("artifact refused", metadata: ["reason": "\(Self.reason(failure))"])
            return .failed(failure)
        }
    }

    /// A sign-in through the lockout and the chain, then the grants it asked for; audited and counted
    /// whatever its outcome.
    func signIn(_ request: SignInRequest, kinds: Set<ArtifactKind>, logger: Logger) async -> DialectResult {
        let started = ContinuousClock.now
        func record(_ outcome: String, reason: String?, identity: Identity?) {
            let duration = ContinuousClock.now - started
            metrics.signIn(dialect: request.dialect, outcome: outcome, authenticator: identity?.authenticator ?? "none", duration: duration)
            Audit.signIn(
                request, outcome: outcome == "granted" ? "granted" : "denied", reason: reason, subject: identity?.subject,
                authenticator: identity?.authenticator, duration: duration, logger: logger)
        }
        let authenticated: Authenticated
        do {
            authenticated = try await lockout.authenticate(request, with: chain)
        } catch let failure as AuthFailure {
            record(Self.reason(failure), reason: Self.reason(failure), identity: nil)
            return .failed(failure)
        } catch {
            record("store_unavailable", reason: "store_unavailable", identity: nil)
            logger.error("lockout store failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            return .failed(.upstreamUnavailable(upstream: "lockout-store"))
        }
        let identity = authenticated.identity
        do {
            let signedIn = try await grants.issue(
                identity, for: request, kinds: kinds, upstreamArtifacts: authenticated.upstreamArtifacts)
            record("granted", reason: nil, identity: identity)
            return .signedIn(signedIn)
        } catch {
            record("store_unavailable", reason: "store_unavailable", identity: identity)
            logger.error("grant store failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            return .failed(.upstreamUnavailable(upstream: "grant-store"))
        }
    }

    /// The artifacts that name a resolved grant, for dialects that echo them (ServiceStack `SessionId`).
    static func presented(_ artifact: PresentedArtifact, grant: Grant) -> IssuedArtifacts {
        guard case .serviceStackSession(let id) = artifact else { return IssuedArtifacts() }
        return IssuedArtifacts(serviceStack: ServiceStackSession(
            sessionID: id, permanentID: id, bearerToken: "", refreshToken: "", refreshTokenExpiry: grant.expiresAt))
    }

    /// A stable reason id for each denial, for logs and metrics.
    static func reason(_ failure: AuthFailure) -> String {
        switch failure {
        case .invalidCredentials: "invalid_credentials"
        case .lockedOut: "locked_out"
        case .upstreamUnavailable: "upstream_unavailable"
        }
    }
}
