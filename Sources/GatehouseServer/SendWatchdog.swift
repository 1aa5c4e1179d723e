import NIOCore
import Synchronization

/// Closes a client connection whose reader stopped: a write of a streamed answer that has waited
/// longer than `limit` for the client to read (nginx's `send_timeout`). Without it a client that stops
/// reading holds its connection, about a MiB of buffers and an upstream connection for as long as it
/// stays connected; closing the channel fails the pending write, and the responder then drops the
/// upstream transfer. Waiting for the upstream is not its business (the route's idle timeout is).
final class SendWatchdog: Sendable {
    private let writingSince = Mutex<ContinuousClock.Instant?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts watching `channel`.
    init(channel: any Channel, limit: Duration) {
        let started = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: limit / 4)
                guard let self else { return }
                if self.isStalled(limit: limit) {
                    channel.close(promise: nil)
                    return
                }
            }
        }
        task.withLock { $0 = started }
    }

    private func isStalled(limit: Duration) -> Bool {
        writingSince.withLock { since in since.map { ContinuousClock.now - $0 > limit } ?? false }
    }

    /// Runs one write, timed.
    func write(_ write: () async throws -> Void) async throws {
        writingSince.withLock { $0 = .now }
        defer { writingSince.withLock { $0 = nil } }
        try await write()
    }

    /// The answer is over: stop watching.
    func stop() {
        task.withLock { $0 }?.cancel()
    }
}
