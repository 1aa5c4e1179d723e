import Foundation
import GatehouseCore

extension GrantService {
    /// A grant for one answer only (an upstream vouched for a bearer and the caller gets its identity
    /// back): never saved, so nothing can resolve it later.
    public func unsavedGrant(_ identity: Identity, for request: SignInRequest) -> Grant {
        newGrant(identity, for: request, issuedAt: now())
    }

    private func newGrant(
        _ identity: Identity, for request: SignInRequest, issuedAt: Date, upstreamArtifacts: [String: String] = [:]
    ) -> Grant {
        Grant(
            id: SessionHandles.grantID(), identity: identity, dialect: request.dialect, issuedAt: issuedAt,
            expiresAt: issuedAt.addingTimeInterval(grantLifetime(for: request.dialect)), persistent: request.remember,
            upstreamArtifacts: upstreamArtifacts)
    }

    /// Creates one grant for `identity` and mints the artifacts of `kinds`.
    public func issue(
        _ identity: Identity, for request: SignInRequest, kinds: Set<ArtifactKind>, upstreamArtifacts: [String: String] = [:]
    ) async throws -> SignedIn {
        let issuedAt = now()
        let grant = newGrant(identity, for: request, issuedAt: issuedAt, upstreamArtifacts: upstreamArtifacts)
        try await store.save(grant)

        var artifacts = IssuedArtifacts()
        if kinds.contains(.applicationCookie) {
            let lifetime = TimeInterval(config.dialects.aspnet.ticketLifetimeSeconds)
            let ticket = CookieTicket(grantID: grant.id, issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(lifetime))
            artifacts.applicationCookie = try ticket.sealed(with: keys.sealingKey)
        }
        if kinds.contains(.accessToken) {
            artifacts.accessToken = try await webAPIAccessToken(for: grant, at: issuedAt)
            artifacts.accessTokenLifetime = config.dialects.webapi.tokenLifetimeSeconds
        }
        if kinds.contains(.sessionToken) {
            let token = SessionHandles.sessionToken()
            try await bind(token, kind: .sessionToken, to: grant, until: grant.expiresAt)
            artifacts.sessionToken = token
        }
        if kinds.contains(.serviceStackSession) {
            artifacts.serviceStack = try await serviceStackSession(for: grant, at: issuedAt)
        }
        return SignedIn(grant: grant, artifacts: artifacts)
    }

    /// How long a grant lives, by the dialect it was signed in through.
    func grantLifetime(for dialect: DialectID) -> TimeInterval {
        let settings = config.dialects
        switch dialect {
        case .aspnet: return TimeInterval(settings.aspnet.ticketLifetimeSeconds)
        // `sso` is not a sign-in dialect (it accepts other artifacts); webapi's lifetime stands in.
        case .webapi, .sso: return TimeInterval(settings.webapi.tokenLifetimeSeconds)
        // The BaaS document: session tokens never expire until sign-out. Ten years stands in for never.
        case .baas: return 10 * 365 * 86_400
        case .servicestack: return TimeInterval(settings.servicestack.refreshTokenLifetimeSeconds)
        }
    }

    private func webAPIAccessToken(for grant: Grant, at issuedAt: Date) async throws -> String {
        let settings = config.dialects.webapi
        let iat = TokenCoding.numericDate(issuedAt)
        let claims = WebAPIAccessClaims(
            sub: grant.identity.subject, email: grant.identity.email.primary, uniqueName: grant.identity.userName,
            role: grant.identity.roles.map(\.name), iss: settings.issuer, aud: settings.audience, iat: iat, nbf: iat,
            exp: iat.addingTimeInterval(TimeInterval(settings.tokenLifetimeSeconds)), jti: SessionHandles.tokenID(),
            sid: grant.id)
        return try await signer.sign(claims, type: TokenSigner.accessType)
    }

    private func serviceStackSession(for grant: Grant, at issuedAt: Date) async throws -> ServiceStackSession {
        let settings = config.dialects.servicestack
        let sessionID = SessionHandles.serviceStackID()
        let permanentID = SessionHandles.serviceStackID()
        let sessionLifetime = TimeInterval(settings.sessionLifetimeSeconds)
        try await bind(sessionID, kind: .serviceStackSession, to: grant, until: issuedAt.addingTimeInterval(sessionLifetime))
        // ServiceStack sets `ss-pid` on every sign-in but keys the session by it only when the session
        // is permanent (`ss-opt=perm`); otherwise it names nothing, and must not outlive `ss-id` here.
        if grant.persistent {
            try await bind(permanentID, kind: .serviceStackSession, to: grant, until: grant.expiresAt)
        }

        let iat = TokenCoding.numericDate(issuedAt)
        let refreshExpiry = iat.addingTimeInterval(TimeInterval(settings.refreshTokenLifetimeSeconds))
        let refresh = ServiceStackRefreshClaims(
            iss: settings.issuer, sub: serviceStackSubject(grant.identity), iat: iat, exp: refreshExpiry, sid: grant.id)
        return ServiceStackSession(
            sessionID: sessionID, permanentID: permanentID,
            bearerToken: try await serviceStackBearerToken(for: grant, at: issuedAt),
            refreshToken: try await signer.sign(refresh, type: TokenSigner.refreshType),
            refreshTokenExpiry: refreshExpiry)
    }

    /// A ServiceStack `BearerToken` for `grant`, as its `JwtAuthProvider` shapes one.
    func serviceStackBearerToken(for grant: Grant, at issuedAt: Date) async throws -> String {
        let settings = config.dialects.servicestack
        let identity = grant.identity
        let iat = TokenCoding.numericDate(issuedAt)
        let claims = ServiceStackBearerClaims(
            iss: settings.issuer, sub: serviceStackSubject(identity), iat: iat,
            exp: iat.addingTimeInterval(TimeInterval(settings.bearerTokenLifetimeSeconds)), name: identity.displayName,
            preferredUsername: identity.userName, email: identity.email.primary, roles: identity.roles.map(\.name),
            perms: identity.permissions, sid: grant.id)
        return try await signer.sign(claims, type: TokenSigner.accessType)
    }

    /// ServiceStack's `sub` is its numeric `UserAuthId` where there is one.
    private func serviceStackSubject(_ identity: Identity) -> String {
        identity.numericID.map(String.init) ?? identity.subject
    }

    private func bind(_ handle: String, kind: SessionHandles.Kind, to grant: Grant, until expiry: Date) async throws {
        try await store.bind(handle: SessionHandles.storedHandle(handle, kind: kind), to: grant.id, expiresAt: expiry)
    }
}
