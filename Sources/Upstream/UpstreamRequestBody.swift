import Synchronization

/// A request body that is written while the request is already on its way: the producer side of
/// an upload, for the reverse proxy to pass a client's body through without holding it whole.
///
/// Backpressure both ways: `write` suspends while `highWater` bytes wait for libcurl, and libcurl's
/// read callback pauses the transfer while nothing waits, resuming when `write` brings more.
///
/// ```swift
/// let body = UpstreamRequestBody(length: nil)           // nil: sent chunked
/// async let response = client.stream(request, body: body)
/// for try await chunk in incoming { guard await body.write(chunk) else { break } }
/// body.finish()
/// ```
public final class UpstreamRequestBody: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var offset = 0
        var bufferedBytes = 0
        var isFinished = false
        var isAborted = false
        /// The transfer no longer reads (it ended, or the upstream answered without reading it all).
        var isClosed = false
        var curlIsPaused = false
        var writer: CheckedContinuation<Bool, Never>?
        var wakeCurl: (@Sendable () -> Void)?
    }

    /// What libcurl's read callback gets back.
    enum Read {
        case bytes(Int)
        case pause
        case end
        case abort
    }

    static let highWater = 1 << 20
    static let lowWater = 256 << 10

    /// The announced length (sent as `Content-Length`), or nil to send the body chunked.
    public let length: Int?
    private let state = Mutex(State())

    /// Creates an empty body; `length` must then be exactly the number of bytes written.
    public init(length: Int?) {
        self.length = length
    }

    /// Appends bytes; suspends while the buffer is full. False when the transfer no longer takes
    /// a body (it ended or was cancelled): stop producing.
    public func write(_ bytes: [UInt8]) async -> Bool {
        guard !bytes.isEmpty else { return true }
        return await withCheckedContinuation { continuation in
            let (result, wake): (Bool?, (@Sendable () -> Void)?) = state.withLock { state in
                guard !state.isClosed, !state.isFinished, !state.isAborted else { return (false, nil) }
                state.chunks.append(bytes)
                state.bufferedBytes += bytes.count
                var wake: (@Sendable () -> Void)?
                if state.curlIsPaused {
                    state.curlIsPaused = false
                    wake = state.wakeCurl
                }
                if state.bufferedBytes > Self.highWater {
                    state.writer = continuation
                    return (nil, wake)
                }
                return (true, wake)
            }
            wake?()
            if let result { continuation.resume(returning: result) }
        }
    }

    /// The whole body has been written.
    public func finish() {
        end { $0.isFinished = true }
    }

    /// The body cannot be completed (the client went away): the upstream request fails.
    public func abort() {
        end { $0.isAborted = true }
    }

    private func end(_ mark: (inout State) -> Void) {
        let wake: (@Sendable () -> Void)? = state.withLock { state in
            mark(&state)
            guard state.curlIsPaused else { return nil }
            state.curlIsPaused = false
            return state.wakeCurl
        }
        wake?()
    }

    // MARK: The curl side

    /// Called once before the transfer starts: how to ask the curl thread to unpause it.
    func attach(wakeCurl: @escaping @Sendable () -> Void) {
        state.withLock { $0.wakeCurl = wakeCurl }
    }

    /// Curl thread: copy up to `buffer.count` bytes into libcurl's buffer.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Read {
        let (read, writer): (Read, CheckedContinuation<Bool, Never>?) = state.withLock { state in
            if state.isAborted { return (.abort, nil) }
            var copied = 0
            while copied < buffer.count, !state.chunks.isEmpty {
                let chunk = state.chunks[0]
                let count = min(chunk.count - state.offset, buffer.count - copied)
                chunk.withUnsafeBytes { source in
                    let slice = UnsafeRawBufferPointer(rebasing: source[state.offset..<(state.offset + count)])
                    UnsafeMutableRawBufferPointer(rebasing: buffer[copied...]).copyMemory(from: slice)
                }
                copied += count
                state.offset += count
                if state.offset == chunk.count {
                    state.chunks.removeFirst()
                    state.offset = 0
                }
            }
            state.bufferedBytes -= copied
            var writer: CheckedContinuation<Bool, Never>?
            if state.bufferedBytes <= Self.lowWater {
                writer = state.writer
                state.writer = nil
            }
            if copied > 0 { return (.bytes(copied), writer) }
            if state.isFinished { return (.end, writer) }
            state.curlIsPaused = true
            return (.pause, writer)
        }
        writer?.resume(returning: true)
        return read
    }

    /// The transfer is over: a suspended or later `write` returns false.
    func close() {
        let writer: CheckedContinuation<Bool, Never>? = state.withLock { state in
            state.isClosed = true
            state.chunks = []
            state.bufferedBytes = 0
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(returning: false)
    }
}
