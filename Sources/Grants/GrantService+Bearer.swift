import Foundation
import GatehouseCore

extension GrantService {
    /// ServiceStack `/access-token`: a new bearer JWT for a live refresh token (typ JWTR); nil when invalid/expired/revoked.
    public func refreshAccessToken(_ refreshToken: String) async throws -> String? {
        let now = now()
        guard let claims = await signer.verify(refreshToken, type: TokenSigner.refreshType, as: GrantBoundClaims.self),
            claims.isCurrent(at: now), let grant = try await store.grant(id: claims.sid, now: now)
        else { return nil }
        return try await serviceStackBearerToken(for: grant, at: now)
    }

    /// The claims of a Gatehouse-signed access or bearer JWT, for the proxy to pass on; nil when
    /// the token is not ours, not an access token (a refresh token is not), expired, or its grant
    /// is no longer live.
    public func verifiedClaims(of token: String) async throws -> JSONValue? {
        let now = now()
        guard let claims = await signer.verify(token, type: TokenSigner.accessType, as: GrantBoundClaims.self),
            claims.isCurrent(at: now), try await store.grant(id: claims.sid, now: now) != nil
        else { return nil }
        // The signature held, so the payload segment is ours and well-formed.
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = Base64URL.decode(segments[1]) else { return nil }
        return JSONValue.parse(payload)
    }

    /// Whether `token` is a JWT naming one of Gatehouse's signing keys, live or not, genuine or forged. The
    /// proxy never passes such a token upstream: an upstream that checks Gatehouse's JWTs against
    /// the published JWKS would otherwise accept a revoked one until it expires.
    public func namesOurKey(_ token: String) -> Bool {
        guard let kid = JOSEHeader(token: token)?.kid else { return false }
        return signer.keyIDs.contains(kid)
    }

    /// Whether a bearer value is an artifact Gatehouse issued or accepts as its own, live or not: a JWT
    /// naming one of its keys, a sealed ticket, a partner token with a good signature, a session token or
    /// ServiceStack session id it bound. The proxy passes none of them upstream: a revoked one would
    /// otherwise reach an upstream that checks it by other means.
    public func isOurs(bearer token: String) async throws -> Bool {
        if namesOurKey(token) || keys.sealing.contains(where: { CookieTicket.open(token, with: $0) != nil }) { return true }
        let now = now()
        if let header = JOSEHeader(token: token) {
            guard header.alg == "HS256", let partnerTokens else { return false }
            return await partnerTokens.verify(token, now: now) != nil
        }
        for kind in [SessionHandles.Kind.sessionToken, .serviceStackSession] {
            let stored = SessionHandles.storedHandle(token, kind: kind)
            if try await store.grantID(forHandle: stored, now: now) != nil { return true }
            if try await store.isRevoked(id: SessionHandles.revokedHandleID(stored), now: now) { return true }
        }
        return false
    }

    /// `Authorization: Bearer …`: our own JWT, else a partner's HS256 JWT, else a BaaS session token; with
    /// the moment the token itself stops being valid.
    func resolveBearer(_ token: String, now: Date) async throws -> (grant: Grant, validUntil: Date)? {
        if let claims = verifiedTokens.value(for: token) {
            guard claims.isCurrent(at: now) else { return nil }
            return try await store.grant(id: claims.sid, now: now).map { ($0, claims.exp) }
        }
        guard let header = JOSEHeader(token: token) else {
            return try await grant(forHandle: token, kind: .sessionToken, now: now).map { ($0, $0.expiresAt) }
        }
        switch header.alg {
        case "ES256":
            guard let claims = await signer.verify(token, type: TokenSigner.accessType, as: GrantBoundClaims.self) else {
                return nil
            }
            verifiedTokens.remember(claims, for: token)
            guard claims.isCurrent(at: now) else { return nil }
            return try await store.grant(id: claims.sid, now: now).map { ($0, claims.exp) }
        case "HS256":
            return try await partnerGrant(token, now: now).map { ($0, $0.expiresAt) }
        default:
            // `none` and every algorithm we do not issue.
            return nil
        }
    }

    /// A grant synthesized from a partner's token: it lives as long as the token, unless its
    /// `jti` was revoked.
    private func partnerGrant(_ token: String, now: Date) async throws -> Grant? {
        guard let partnerTokens, let claims = await partnerTokens.verify(token, now: now) else { return nil }
        let id = "partner:" + claims.jti
        guard try await !store.isRevoked(id: id, now: now), let identity = await partnerUser(claims.userID) else {
            return nil
        }
        return Grant(
            id: id, identity: identity, dialect: .sso, issuedAt: claims.iat ?? now, expiresAt: claims.exp,
            persistent: false)
    }
}
