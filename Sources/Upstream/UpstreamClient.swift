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
    private let loops: [CurlMultiLoop]
    private let next = Atomic<Int>(0)

    /// Starts the client's threads, each with its libcurl multi handle and connection cache.
    ///
    /// - Parameters:
    ///   - maxConnectionsPerHost: connections each thread keeps open to one host; requests beyond
    ///     that wait for a free one (500 concurrent sign-ins queue on 32 rather than each opening one).
    ///   - threads: curl threads, taking requests in turn (one suits sign-ins; the proxy uses one per core).
    public init(maxConnectionsPerHost: Int = 32, threads: Int = 1) {
        self.loops = (0..<max(1, threads)).map { _ in CurlMultiLoop(maxConnectionsPerHost: maxConnectionsPerHost) }
    }

    deinit {
        for loop in loops { loop.shutdown() }
    }

    /// The most body bytes `send` reads unless told otherwise: sign-in answers are a few kilobytes, and
    /// without a limit an upstream could fill memory for as long as the request's timeout lasts.
    public static let defaultMaxBodyBytes = 1 << 20

    /// Sends `request` and returns the upstream's final response, whatever its status, with its
    /// body read whole.
    ///
    /// - Parameter maxBodyBytes: the longest body read; a longer one abandons the transfer.
    /// - Throws: `UpstreamError` when no response arrived (refused, timed out, transport failure,
    ///   client shut down) or its body was longer than `maxBodyBytes` (`.responseTooLarge`);
    ///   `CancellationError` promptly when the calling task is cancelled, in which case the
    ///   transfer is abandoned.
    public func send(_ request: UpstreamRequest, maxBodyBytes: Int = UpstreamClient.defaultMaxBodyBytes) async throws -> UpstreamResponse {
        let response = try await stream(request)
        let body = try await response.body.collect(upTo: maxBodyBytes)
        return UpstreamResponse(status: response.head.status, headers: response.head.headers, body: body)
    }

    /// Sends `request` and returns as soon as the response head has arrived; the body streams.
    ///
    /// With `body`, the request body is read from it while the request is under way (sent with
    /// `Content-Length` when its length is known, chunked otherwise) and `request.body` is ignored.
    /// - Throws: as `send`, for failures before the head arrived.
    public func stream(_ request: UpstreamRequest, body: UpstreamRequestBody? = nil) async throws -> UpstreamStreamingResponse {
        let transfer = try CurlTransfer(request, body: body)
        let loop = loops.count == 1 ? loops[0] : loops[next.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
        body?.attach { [weak transfer] in
            if let transfer { loop.unpause(transfer) }
        }
        // Owns the transfer from here: should this call fail or be cancelled, dropping it stops the transfer.
        let handle = UpstreamResponseBody.Handle(transfer: transfer, loop: loop)
        let head = try await withTaskCancellationHandler {
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
        return UpstreamStreamingResponse(head: head, body: UpstreamResponseBody(handle: handle))
    }

    /// Stops the client's thread. Requests in flight and any sent afterwards fail with
    /// `UpstreamError.shutDown`. Safe to call more than once.
    public func shutdown() {
        for loop in loops { loop.shutdown() }
    }
}
