import Foundation
import GatehouseCore

/// Where failure counters live: in memory for one process, or in the database replicas share, so that
/// one account has one counter however many doors and replicas its guesses arrive through.
///
/// Every backend must pass the shared lockout suite (`runLockoutStoreSuite` in `StoresTests`). Times
/// are passed in, never read from the system clock.
///
/// ```swift
/// let lockedUntil = try await store.recordFailure(key: "acct:local:42", rule: rule, now: now)
/// try await store.lockedUntil(key: "acct:local:42", now: now)   // lockedUntil, while it lasts
/// ```
public protocol LockoutStore: Sendable {
    /// Counts one failure for `key` and answers until when `key` is now locked (nil: not locked).
    ///
    /// Failures count within a window that starts at the first failure and lasts `rule.windowSeconds`; the
    /// failure that reaches `rule.maxFailures` locks `key` for `rule.lockSeconds` and starts the count afresh.
    /// The count must be atomic across every process sharing the store.
    func recordFailure(key: String, rule: LockoutRule, now: Date) async throws -> Date?
    /// Until when `key` is locked; nil when it is not locked at `now`.
    func lockedUntil(key: String, now: Date) async throws -> Date?
    /// Forgets `key`'s failures (a successful sign-in). A lock in force is not lifted: a locked account
    /// never gets as far as a successful sign-in.
    func clearFailures(key: String) async throws
}

/// The counting rule every `LockoutStore` applies, as one pure function: the SQL backends do the same in
/// one atomic statement.
public struct FailureCounter: Sendable, Equatable {
    public var failures: Int
    public var windowStart: Date
    public var lockedUntil: Date?

    public init(failures: Int, windowStart: Date, lockedUntil: Date?) {
        self.failures = failures
        self.windowStart = windowStart
        self.lockedUntil = lockedUntil
    }

    /// The counter after one more failure at `now` (`previous` nil: the first one).
    public static func afterFailure(_ previous: FailureCounter?, rule: LockoutRule, now: Date) -> FailureCounter {
        let windowOpen = previous.map { now.timeIntervalSince($0.windowStart) < TimeInterval(rule.windowSeconds) } ?? false
        let failures = windowOpen ? (previous?.failures ?? 0) + 1 : 1
        guard failures >= rule.maxFailures else {
            return FailureCounter(
                failures: failures, windowStart: windowOpen ? previous?.windowStart ?? now : now,
                lockedUntil: previous?.lockedUntil)
        }
        return FailureCounter(failures: 0, windowStart: now, lockedUntil: now.addingTimeInterval(TimeInterval(rule.lockSeconds)))
    }
}
