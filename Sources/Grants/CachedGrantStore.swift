import Foundation
import GatehouseCore
import Synchronization

/// A short-lived local copy of what a database store answered, so an artifact already checked costs no
/// database round trip on every proxied request.
///
/// Only answers that open a door are kept (a live grant, a bound handle, an id not revoked), and each for
/// at most `lifetime`:
/// a sign-out on another replica is seen here within that time. A sign-out here is seen at once.
/// Nothing negative is kept: an unknown handle is asked again, so a sign-in on another replica works here
/// straight away. Writes go straight through. Expiry is judged on every use, cached or not.
public struct CachedGrantStore: GrantStore {
    struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var fetchedAt: ContinuousClock.Instant
    }

    let backing: any GrantStore
    let lifetime: Duration
    private let grants = BoundedMemo<String, Entry<Grant>>(capacity: 50_000)
    private let handles = BoundedMemo<String, Entry<HandleBinding>>(capacity: 50_000)
    /// Ids found not revoked (partner tokens are checked this way on every use).
    private let unrevoked = BoundedMemo<String, Entry<Bool>>(capacity: 50_000)
    /// Lookups under way: when an entry lapses, the many requests presenting the same artifact at that
    /// moment share one database call instead of each making its own (64 connections on one token each
    /// asked at once, and the proxied p99 doubled in bench/store).
    private let grantLookups = InFlight<Grant?>()
    private let handleLookups = InFlight<HandleBinding?>()
    private let revocationLookups = InFlight<Bool>()

    /// - Parameter lifetime: how long an answer is reused; the bound on how late a sign-out elsewhere is seen.
    public init(_ backing: any GrantStore, lifetime: Duration = .milliseconds(250)) {
        self.backing = backing
        self.lifetime = lifetime
    }

    public func save(_ grant: Grant) async throws {
        grants.forget(grant.id)
        try await backing.save(grant)
    }

    public func grant(id: String, now: Date) async throws -> Grant? {
        if let entry = fresh(grants.value(for: id)) {
            return entry.isLive(at: now) ? entry : nil
        }
        return try await grantLookups.value(for: id) { [backing, grants] in
            let grant = try await backing.grant(id: id, now: now)
            if let grant { grants.remember(Entry(value: grant, fetchedAt: .now), for: id) }
            return grant
        }
    }

    public func revoke(id: String, until: Date) async throws {
        grants.forget(id)
        unrevoked.forget(id)
        try await backing.revoke(id: id, until: until)
        // A handle of this grant is looked up again, and its grant is gone: nothing more to forget.
    }

    public func isRevoked(id: String, now: Date) async throws -> Bool {
        if fresh(unrevoked.value(for: id)) != nil { return false }
        return try await revocationLookups.value(for: id) { [backing, unrevoked] in
            let revoked = try await backing.isRevoked(id: id, now: now)
            if !revoked { unrevoked.remember(Entry(value: true, fetchedAt: .now), for: id) }
            return revoked
        }
    }

    public func bind(handle: String, to grantID: String, expiresAt: Date) async throws {
        handles.forget(handle)
        try await backing.bind(handle: handle, to: grantID, expiresAt: expiresAt)
    }

    public func binding(forHandle handle: String, now: Date) async throws -> HandleBinding? {
        if let binding = fresh(handles.value(for: handle)) { return now < binding.expiresAt ? binding : nil }
        return try await handleLookups.value(for: handle) { [backing, handles] in
            let binding = try await backing.binding(forHandle: handle, now: now)
            if let binding { handles.remember(Entry(value: binding, fetchedAt: .now), for: handle) }
            return binding
        }
    }

    private func fresh<Value>(_ entry: Entry<Value>?) -> Value? {
        guard let entry, entry.fetchedAt.duration(to: .now) < lifetime else { return nil }
        return entry.value
    }
}

/// One lookup per key at a time: callers asking for a key already being looked up wait for that lookup.
final class InFlight<Value: Sendable>: Sendable {
    private let running = Mutex<[String: Task<Value, any Error>]>([:])

    func value(for key: String, _ lookup: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = running.withLock { running in
            if let task = running[key] { return task }
            let task = Task { [owner = self] in
                // Takes the lock, so it runs only once this task is in the table.
                defer { _ = owner.running.withLock { $0.removeValue(forKey: key) } }
                return try await lookup()
            }
            running[key] = task
            return task
        }
        return try await task.value
    }
}
