import Foundation
import GatehouseCore

/// Where grants, revocations and session handles live: in memory for one process, or in a
/// database that several replicas share.
///
/// Every backend must pass the shared test suite (`runGrantStoreSuite` in `GrantsTests`).
/// Times are always passed in, never read from the system clock, so that expiry is decided by
/// the caller's clock (tests use a settable one).
///
/// ```swift
/// try await store.save(grant)
/// try await store.bind(handle: sha256(token), to: grant.id, expiresAt: grant.expiresAt)
/// let id = try await store.grantID(forHandle: sha256(token), now: now)   // grant.id
/// ```
public protocol GrantStore: Sendable {
    /// Stores `grant`, replacing any grant with the same id.
    func save(_ grant: Grant) async throws
    /// nil when unknown, revoked or expired at `now`.
    func grant(id: String, now: Date) async throws -> Grant?
    /// Revokes the grant and every handle bound to it; records the id as revoked until `until` (for JWTs and partner
    /// tokens), and each handle as revoked while it would have lived (`SessionHandles.revokedHandleID`): a revoked
    /// handle is still known for one of Gatehouse's own, and never passed to an upstream.
    func revoke(id: String, until: Date) async throws
    /// Whether `id` was revoked and the record of it has not lapsed at `now`.
    func isRevoked(id: String, now: Date) async throws -> Bool
    /// Binds an opaque handle (already hashed by the caller) to a grant, with its own expiry.
    func bind(handle: String, to grantID: String, expiresAt: Date) async throws
    /// The binding of `handle`; nil when unknown or expired at `now`.
    func binding(forHandle handle: String, now: Date) async throws -> HandleBinding?
}

/// What an opaque handle is bound to, and until when.
public struct HandleBinding: Sendable, Equatable {
    public var grantID: String
    public var expiresAt: Date

    public init(grantID: String, expiresAt: Date) {
        self.grantID = grantID
        self.expiresAt = expiresAt
    }
}

extension GrantStore {
    /// The grant id `handle` is bound to; nil when unknown or expired at `now`.
    public func grantID(forHandle handle: String, now: Date) async throws -> String? {
        try await binding(forHandle: handle, now: now)?.grantID
    }
}
