import Foundation
import GatehouseCore

/// Issues every artifact over one grant and turns presented artifacts back into that grant.
///
/// One sign-in creates one `Grant`; the cookie ticket, JWTs, session token and `ss-id`/`ss-pid`
/// minted for it all name it, so revoking it through any one artifact ends them all.
///
/// ```swift
/// let service = try await GrantService(config: config, keys: keys, store: MemoryGrantStore())
/// let signedIn = try await service.issue(identity, for: request, kinds: [.accessToken])
/// let grant = try await service.resolve(.bearer(signedIn.artifacts.accessToken ?? ""))
/// ```
public struct GrantService: Sendable {
    let config: GatewayConfig
    let ring: KeyRing
    let store: any GrantStore
    let partnerUser: @Sendable (Int) async -> Identity?
    let now: @Sendable () -> Date
    /// nil when no partner secret is configured: partner tokens are then not recognised.
    let partnerTokens: PartnerTokenVerifier?
    /// The claims of Gatehouse JWTs whose signature has already been checked, by the whole token.
    ///
    /// A client presents the same bearer on every request; checking its ES256 signature each time
    /// costs more than the rest of a proxied request. Only tokens that verified are stored, so a hit is
    /// exactly as trustworthy as a fresh check; expiry is still judged on every use and the grant is
    /// still looked up (revocation reaches cached tokens).
    let verifiedTokens = BoundedMemo<String, GrantBoundClaims>(capacity: 10_000)
    /// Artifacts that opened a live grant, for `checkedArtifact(_:)`.
    let checked = CheckedArtifacts()

    /// - Parameters:
    ///   - partnerUser: the identity of a partner's `user_id`, nil when unknown (the token is then refused).
    ///   - now: the clock every expiry is judged by.
    public init(
        config: GatewayConfig, keys: GrantKeys, store: any GrantStore,
        partnerUser: @escaping @Sendable (Int) async -> Identity? = { _ in nil },
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws {
        self.config = config
        self.ring = try await KeyRing(keys: keys)
        self.store = store
        self.partnerUser = partnerUser
        self.now = now
        if let secret = config.dialects.sso.sharedSecret {
            self.partnerTokens = await PartnerTokenVerifier.make(sharedSecret: secret)
        } else {
            self.partnerTokens = nil
        }
    }

    /// The grant behind an artifact of any dialect. A bearer value may be any artifact Gatehouse issued:
    /// a JWT or session token, and also an ASP.NET ticket or a ServiceStack session id sent as a bearer.
    public func resolveAny(_ artifact: PresentedArtifact) async throws -> Grant? {
        var candidates = [artifact]
        if case .bearer(let value) = artifact {
            candidates += [.applicationCookie(value), .serviceStackSession(value)]
        }
        let now = now()
        let generation = checked.currentGeneration
        for candidate in candidates {
            guard let opened = try await open(candidate, now: now) else { continue }
            checked.remember(opened.grant, for: artifact, validUntil: opened.validUntil, generation: generation)
            return opened.grant
        }
        return nil
    }

    /// The live grant behind an artifact; nil when forged, expired, revoked or unknown (never throws for bad input).
    ///
    /// Throws only when the store fails.
    public func resolve(_ artifact: PresentedArtifact) async throws -> Grant? {
        let now = now()
        let generation = checked.currentGeneration
        guard let opened = try await open(artifact, now: now) else { return nil }
        checked.remember(opened.grant, for: artifact, validUntil: opened.validUntil, generation: generation)
        return opened.grant
    }

    /// The check of `artifact` when it was checked a moment ago by `resolve(_:)` or `resolveAny(_:)` (see
    /// `CheckedArtifacts`), and the grant it opened, without suspending: nil when it was not, or that check
    /// may be stale. For the proxy's hot path; never more permissive than `resolveAny(_:)`. A caller that
    /// keeps it a moment (one connection's next request) asks `stillHolds(_:)` before using it again.
    public func checkedArtifact(_ artifact: PresentedArtifact) -> CheckedArtifact? {
        checked.entry(for: artifact, now: now()).map(CheckedArtifact.init)
    }

    /// Whether a check from `checkedArtifact(_:)` is one it would still give.
    public func stillHolds(_ check: CheckedArtifact) -> Bool {
        checked.holds(check.entry, now: now())
    }

    /// The live grant behind an artifact of exactly this kind, and when the artifact itself stops being valid.
    private func open(_ artifact: PresentedArtifact, now: Date) async throws -> (grant: Grant, validUntil: Date)? {
        switch artifact {
        case .applicationCookie(let sealed):
            guard let ticket = keys.sealing.lazy.compactMap({ CookieTicket.open(sealed, with: $0) }).first, now < ticket.expiresAt
            else { return nil }
            return try await store.grant(id: ticket.grantID, now: now).map { ($0, ticket.expiresAt) }
        case .serviceStackSession(let id):
            return try await grant(forHandle: id, kind: .serviceStackSession, now: now).map { ($0, $0.expiresAt) }
        case .bearer(let token):
            return try await resolveBearer(token, now: now)
        }
    }

    /// Revokes the grant behind an artifact (no-op when none). Every artifact of that grant stops working.
    public func revoke(_ artifact: PresentedArtifact) async throws {
        guard let grant = try await resolve(artifact) else { return }
        try await revoke(grant)
    }

    /// Revokes a grant already resolved (no second signature check or store lookup): every artifact of it
    /// stops working.
    public func revoke(_ grant: Grant) async throws {
        // A partner grant lives only in its token: the revocation record is what stops it,
        // and it must last as long as the token could (`expiresAt` is the token's `exp`).
        try await store.revoke(id: grant.id, until: grant.expiresAt)
        checked.revoked()
    }

    /// `/.well-known/jwks.json` body: {"keys":[{kty,crv,x,y,kid,use:"sig",alg:"ES256"}, …]}, one entry per key
    /// that verifies: the active one first, then those a rotation retired or published ahead of use.
    public func jwksDocument() -> [UInt8] {
        let entries = keys.signing.map { signing in
            let (x, y) = GrantKeys.publicCoordinates(of: signing.key)
            return JSONValue.object([
                ("kty", .string("EC")), ("crv", .string("P-256")), ("x", .string(x)), ("y", .string(y)),
                ("kid", .string(signing.keyID)), ("use", .string("sig")), ("alg", .string("ES256")),
            ])
        }
        return JSONValue.object([("keys", .array(entries))]).bytes
    }

    /// The keys in use now.
    var keys: GrantKeys { ring.keys }
    /// The signer of the keys in use now.
    var signer: TokenSigner { ring.signer }

    /// Signs, seals and verifies with `keys` from now on (after a rotation); a no-op when they are the keys in use.
    public func use(_ keys: GrantKeys) async throws {
        try await ring.use(keys)
    }

    /// The grant an opaque handle (session token, `ss-id`, `ss-pid`) is bound to.
    func grant(forHandle handle: String, kind: SessionHandles.Kind, now: Date) async throws -> Grant? {
        guard !handle.isEmpty,
            let grantID = try await store.grantID(forHandle: SessionHandles.storedHandle(handle, kind: kind), now: now)
        else { return nil }
        return try await store.grant(id: grantID, now: now)
    }
}

/// One artifact's check, as `GrantService.checkedArtifact(_:)` found it.
public struct CheckedArtifact: Sendable {
    let entry: CheckedArtifacts.Entry
    public var grant: Grant { entry.grant }
}
