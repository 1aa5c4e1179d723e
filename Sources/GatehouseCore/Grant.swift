import Foundation

/// One issued sign-in. Every artifact a dialect hands out (cookie, JWT, session token, `ss-id`)
/// resolves to exactly one grant; revoking the grant revokes them all.
public struct Grant: Sendable, Hashable, Codable {
    /// Random, unguessable, and never shown to a caller as such.
    public var id: String
    public var identity: Identity
    public var dialect: DialectID
    public var issuedAt: Date
    public var expiresAt: Date
    /// Whether the caller asked to be remembered (persistent cookies).
    public var persistent: Bool
    /// Cookies and tokens a legacy upstream issued for this sign-in, by name.
    public var upstreamArtifacts: [String: String]

    public init(
        id: String, identity: Identity, dialect: DialectID, issuedAt: Date, expiresAt: Date,
        persistent: Bool, upstreamArtifacts: [String: String] = [:]
    ) {
        self.id = id
        self.identity = identity
        self.dialect = dialect
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.persistent = persistent
        self.upstreamArtifacts = upstreamArtifacts
    }

    /// Whether the grant is still within its lifetime at `now`.
    public func isLive(at now: Date) -> Bool { now < expiresAt }
}
