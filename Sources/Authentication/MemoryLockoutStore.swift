import Foundation
import GatehouseCore

/// A `LockoutStore` for one process: counters are lost on restart and not shared with replicas.
public actor MemoryLockoutStore: LockoutStore {
    private var counters: [String: FailureCounter] = [:]
    private var writesSinceSweep = 0
    /// The longest window any rule asked for: a sweep keeps every counter still inside it.
    private var longestWindow: TimeInterval = 0

    /// An empty store.
    public init() {}

    public func recordFailure(key: String, rule: LockoutRule, now: Date) -> Date? {
        let counter = FailureCounter.afterFailure(counters[key], rule: rule, now: now)
        counters[key] = counter
        longestWindow = max(longestWindow, TimeInterval(rule.windowSeconds))
        sweepNowAndThen(now: now)
        return counter.lockedUntil.flatMap { now < $0 ? $0 : nil }
    }

    public func lockedUntil(key: String, now: Date) -> Date? {
        guard let until = counters[key]?.lockedUntil, now < until else { return nil }
        return until
    }

    public func clearFailures(key: String) {
        guard let counter = counters[key] else { return }
        if counter.lockedUntil == nil { counters[key] = nil } else { counters[key]?.failures = 0 }
    }

    /// Every 1,024 writes, drops counters whose window and lock have both lapsed: addresses and unknown
    /// logins are the caller's to choose, so the table must not grow without bound.
    private func sweepNowAndThen(now: Date) {
        writesSinceSweep += 1
        guard writesSinceSweep >= 1_024 else { return }
        writesSinceSweep = 0
        counters = counters.filter { _, counter in
            now.timeIntervalSince(counter.windowStart) < longestWindow || counter.lockedUntil.map { now < $0 } == true
        }
    }
}
