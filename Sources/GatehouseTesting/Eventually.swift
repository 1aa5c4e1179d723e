/// Waits until `condition` holds, checking it every `interval`, for at most `limit`; whether it held.
///
/// For a test that waits on what another thread or process does (a transfer dropped, a thread
/// started): it goes on as soon as that happens, and a slow machine gets the whole `limit` instead of
/// a fixed sleep's guess.
@discardableResult
public func eventually(
    within limit: Duration, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: interval)
    }
    return true
}

/// The value of `measure` once it has stopped changing for `quiet`, or when `limit` has passed.
///
/// For a test of backpressure: what a producer managed to send to a consumer that stopped is read when the
/// producer has stalled, however long a loaded machine takes to get there, instead of after a fixed sleep
/// that a slow machine passes with no backpressure at all. Without backpressure the value runs on to the
/// whole transfer and the test's bound fails.
public func settled(
    within limit: Duration, quiet: Duration = .milliseconds(500), _ measure: () async throws -> Int
) async throws -> Int {
    let deadline = ContinuousClock.now + limit
    var last = try await measure()
    var unchangedSince = ContinuousClock.now
    while ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
        let now = try await measure()
        if now != last {
            last = now
            unchangedSince = ContinuousClock.now
        } else if unchangedSince.duration(to: .now) >= quiet {
            return now
        }
    }
    return last
}
