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
