import Synchronization

/// An HTTP client for legacy upstream services, built on libcurl.
///
/// Each client owns one libcurl multi handle running on its own thread, so callers never block
/// an event loop or the cooperative pool, and all requests share one connection cache.
/// Create one client per process (or per upstream group) and keep it; call `shutdown()` when done.
///
/// ```swift
/// let client = UpstreamClient()
/// let response = try await client.send(UpstreamRequest(method: "GET", url: "http://127.0.0.1:8081/health"))
/// ```
public final class UpstreamClient: Sendable {
    private let loop = CurlMultiLoop()

    /// Starts the client's thread and its libcurl multi handle.
    public init() {}

    deinit {
        loop.shutdown()
    }

    /// Sends `request` and returns the upstream's final response, whatever its status.
    ///
    /// - Throws: `UpstreamError` when no response arrived (refused, timed out, transport failure,
    ///   client shut down); `CancellationError` promptly when the calling task is cancelled,
    ///   in which case the transfer is abandoned.
    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let transfer = try CurlTransfer(request)
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Enqueue under the transfer's lock, so a cancellation (which takes the same
                // lock) can only ask for removal after the curl thread has been handed the transfer.
                transfer.state.withLock { state in
                    switch state.start(continuation) {
                    case .enqueue:
                        if !loop.enqueue(transfer) {
                            state.finish()?.resume(throwing: UpstreamError.shutDown)
                        }
                    case .failCancelled:
                        continuation.resume(throwing: CancellationError())
                    }
                }
            }
        } onCancel: {
            if case .resumeAndRemove(let continuation) = transfer.state.withLock({ $0.cancel() }) {
                continuation.resume(throwing: CancellationError())
                loop.remove(transfer)
            }
        }
    }

    /// Stops the client's thread. Requests in flight and any sent afterwards fail with
    /// `UpstreamError.shutDown`. Safe to call more than once.
    public func shutdown() {
        loop.shutdown()
    }
}
