import HTTPTypes
import Hummingbird
import Synchronization
import Upstream

/// Moves a client's request body into an `UpstreamRequestBody`, in a task of its own so the
/// upstream's answer can start before the upload ends. Started only once the request is let through.
final class BodyPump: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// The body to stream upstream, or nil when the request has none (no length, not chunked) or is a
    /// `HEAD`: a body means nothing there (RFC 9110 §9.3.2), and the upstream client would drop it anyway;
    /// not starting a pump for it saves a task. Hummingbird discards the bytes left unread.
    func start(_ request: Request, headers: HTTPFields) -> UpstreamRequestBody? {
        guard request.method != .head else { return nil }
        let length = headers[.contentLength].flatMap { Int($0) }
        guard (length ?? 0) > 0 || headers[.transferEncoding] != nil else { return nil }
        let body = UpstreamRequestBody(length: length)
        let pump = Task {
            do {
                for try await buffer in request.body {
                    guard await body.write(Array(buffer.readableBytesView)) else { return }
                }
                body.finish()
            } catch {
                // The client went away mid-upload: the upstream must not see a truncated body as whole.
                body.abort()
            }
        }
        task.withLock { $0 = pump }
        return body
    }

    /// Stops reading the client's body (the exchange is over).
    func stop() {
        task.withLock { $0 }?.cancel()
    }
}
