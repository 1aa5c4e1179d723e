import Foundation
import GatehouseCore

/// A `GrantStore` for a single process: everything is lost on restart, and replicas do not
/// share it. The default `store.type`.
public actor MemoryGrantStore: GrantStore {
    private struct Binding {
        var grantID: String
        var expiresAt: Date
    }

    private var grants: [String: Grant] = [:]
    /// Revoked ids and until when the revocation must be remembered.
    private var revoked: [String: Date] = [:]
    private var bindings: [String: Binding] = [:]
    /// The handles of each grant, so revoking a grant reaches them all.
    private var handlesByGrant: [String: Set<String>] = [:]
    /// Lookups since the last sweep of lapsed entries.
    private var lookupsSinceSweep = 0

    /// How many lookups pass between sweeps. Writes carry no clock, so lapsed entries are
    /// dropped from lookups, which do; sweeping every time would make each lookup O(n).
    package static let sweepInterval = 1_024

    /// An empty store.
    public init() {}

    /// How many entries each table holds, lapsed or not. Answers cannot tell a lapsed entry from a swept
    /// one, so this is how a test sees that sweeping really frees memory.
    package struct EntryCounts: Equatable, Sendable {
        package var grants: Int
        package var revocations: Int
        package var bindings: Int
        /// Grants listed in the handle index that revocation uses.
        package var indexedGrants: Int

        package init(grants: Int, revocations: Int, bindings: Int, indexedGrants: Int) {
            self.grants = grants
            self.revocations = revocations
            self.bindings = bindings
            self.indexedGrants = indexedGrants
        }
    }

    /// The size of each table now.
    package var entryCounts: EntryCounts {
        EntryCounts(grants: grants.count, revocations: revoked.count, bindings: bindings.count, indexedGrants: handlesByGrant.count)
    }

    /// Stores `grant`, replacing any grant with the same id.
    public func save(_ grant: Grant) {
        grants[grant.id] = grant
    }

    /// nil when unknown, revoked or expired at `now`.
    public func grant(id: String, now: Date) -> Grant? {
        noteLookup(now: now)
        guard !isRevoked(id: id, now: now), let grant = grants[id], grant.isLive(at: now) else { return nil }
        return grant
    }

    /// Revokes the grant and every handle bound to it, and remembers `id` as revoked until `until`.
    public func revoke(id: String, until: Date) {
        grants[id] = nil
        for handle in handlesByGrant.removeValue(forKey: id) ?? [] {
            // Kept as revoked while it would have lived: a revoked handle is still known for Gatehouse's own.
            if let binding = bindings.removeValue(forKey: handle) {
                let key = SessionHandles.revokedHandleID(handle)
                revoked[key] = max(revoked[key] ?? binding.expiresAt, binding.expiresAt)
            }
        }
        revoked[id] = max(revoked[id] ?? until, until)
    }

    /// Whether `id` was revoked and the record of it has not lapsed at `now`.
    public func isRevoked(id: String, now: Date) -> Bool {
        guard let until = revoked[id] else { return false }
        return now < until
    }

    /// Binds an already hashed handle to a grant until `expiresAt`.
    public func bind(handle: String, to grantID: String, expiresAt: Date) {
        if let previous = bindings[handle], previous.grantID != grantID {
            handlesByGrant[previous.grantID]?.remove(handle)
        }
        bindings[handle] = Binding(grantID: grantID, expiresAt: expiresAt)
        handlesByGrant[grantID, default: []].insert(handle)
    }

    /// nil when unknown or expired at `now`.
    public func binding(forHandle handle: String, now: Date) -> HandleBinding? {
        noteLookup(now: now)
        guard let binding = bindings[handle], now < binding.expiresAt else { return nil }
        return HandleBinding(grantID: binding.grantID, expiresAt: binding.expiresAt)
    }

    private func noteLookup(now: Date) {
        lookupsSinceSweep += 1
        guard lookupsSinceSweep >= Self.sweepInterval else { return }
        lookupsSinceSweep = 0
        sweep(now: now)
    }

    /// Drops every entry that has lapsed at `now`, so a long-running process does not grow without bound.
    private func sweep(now: Date) {
        grants = grants.filter { $0.value.isLive(at: now) }
        revoked = revoked.filter { now < $0.value }
        for (handle, binding) in bindings where binding.expiresAt <= now {
            bindings[handle] = nil
            handlesByGrant[binding.grantID]?.remove(handle)
            if handlesByGrant[binding.grantID]?.isEmpty == true { handlesByGrant[binding.grantID] = nil }
        }
    }
}
