import Authentication
import Foundation
import GatehouseCore
import Testing

/// The behaviour every `LockoutStore` backend must show; `StoreBackendTests` runs it against memory,
/// SQLite and PostgreSQL. Each check gets a fresh store from `makeStore`.
func runLockoutStoreSuite(_ makeStore: () async throws -> any LockoutStore) async throws {
    let t0 = StoreFixture.start
    let rule = LockoutRule(maxFailures: 3, windowSeconds: 60, lockSeconds: 300)

    // The failure that reaches the limit locks for lockSeconds; the ones before it do not.
    do {
        let store = try await makeStore()
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0) == nil)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 1) == nil)
        #expect(try await store.lockedUntil(key: "a", now: t0 + 1) == nil)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 2) == t0 + 302)
        #expect(try await store.lockedUntil(key: "a", now: t0 + 2) == t0 + 302)
        #expect(try await store.lockedUntil(key: "a", now: t0 + 301) == t0 + 302)
        // The lock ends at its time, exclusive; another key was never touched.
        #expect(try await store.lockedUntil(key: "a", now: t0 + 302) == nil)
        #expect(try await store.lockedUntil(key: "b", now: t0 + 2) == nil)
    }
    // Failures further apart than the window start the count afresh.
    do {
        let store = try await makeStore()
        _ = try await store.recordFailure(key: "a", rule: rule, now: t0)
        _ = try await store.recordFailure(key: "a", rule: rule, now: t0 + 30)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 60) == nil)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 61) == nil)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 62) == t0 + 362)
    }
    // Clearing forgets the failures so far, but lifts no lock in force.
    do {
        let store = try await makeStore()
        _ = try await store.recordFailure(key: "a", rule: rule, now: t0)
        _ = try await store.recordFailure(key: "a", rule: rule, now: t0 + 1)
        try await store.clearFailures(key: "a")
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 2) == nil)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 3) == nil)
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 4) == t0 + 304)
        try await store.clearFailures(key: "a")
        #expect(try await store.lockedUntil(key: "a", now: t0 + 5) == t0 + 304)
        try await store.clearFailures(key: "never-failed")
        #expect(try await store.lockedUntil(key: "never-failed", now: t0) == nil)
    }
    // After a lock has ended, the count starts from nothing.
    do {
        let store = try await makeStore()
        for second in 0..<3 { _ = try await store.recordFailure(key: "a", rule: rule, now: t0 + TimeInterval(second)) }
        #expect(try await store.recordFailure(key: "a", rule: rule, now: t0 + 400) == nil)
        #expect(try await store.lockedUntil(key: "a", now: t0 + 400) == nil)
    }
    // Failures counted at once, as replicas do, are all counted: exactly one of them locks.
    do {
        let store = try await makeStore()
        let many = LockoutRule(maxFailures: 20, windowSeconds: 60, lockSeconds: 300)
        let locks = try await withThrowingTaskGroup(of: Date?.self) { group in
            for _ in 0..<20 { group.addTask { try await store.recordFailure(key: "a", rule: many, now: t0) } }
            return try await group.reduce(into: [Date?]()) { $0.append($1) }
        }
        #expect(locks.compactMap { $0 } == [t0 + 300])
        #expect(try await store.lockedUntil(key: "a", now: t0 + 1) == t0 + 300)
    }
}
