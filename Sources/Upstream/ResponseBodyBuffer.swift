import Synchronization

/// The response bytes between libcurl's write callback (the curl thread) and the task reading them.
///
/// Backpressure: once `highWater` bytes wait unread, the write callback is told to pause the
/// transfer (libcurl then keeps the chunk and hands it over again on unpause, and stops reading
/// the socket). When the reader has taken the buffer down to `lowWater`, it asks the curl
/// thread to unpause. So a slow client holds at most about `highWater` bytes here.
final class ResponseBodyBuffer: Sendable {
    /// What the write callback must do with a chunk.
    enum Offer {
        case accepted
        case pause
    }

    private struct State {
        var chunks: [[UInt8]] = []
        var nextChunk = 0
        var bufferedBytes = 0
        var isPaused = false
        var end: Result<Void, any Error>?
        var reader: CheckedContinuation<[UInt8]?, any Error>?
    }

    static let highWater = 1 << 20
    static let lowWater = 256 << 10

    private let state = Mutex(State())

    /// Curl thread: a chunk arrived.
    func offer(_ bytes: UnsafeRawBufferPointer) -> Offer {
        let chunk = [UInt8](bytes)
        let (reader, offer): (CheckedContinuation<[UInt8]?, any Error>?, Offer) = state.withLock { state in
            if let reader = state.reader {
                state.reader = nil
                return (reader, .accepted)
            }
            guard state.bufferedBytes < Self.highWater else {
                state.isPaused = true
                return (nil, .pause)
            }
            state.chunks.append(chunk)
            state.bufferedBytes += chunk.count
            return (nil, .accepted)
        }
        reader?.resume(returning: chunk)
        return offer
    }

    /// No more bytes will come; `result` says whether the body is whole. Bytes already buffered are
    /// still read before a failure, unless `discardingBuffered` (the reader gave up on them).
    func finish(_ result: Result<Void, any Error>, discardingBuffered: Bool = false) {
        let reader: CheckedContinuation<[UInt8]?, any Error>? = state.withLock { state in
            if discardingBuffered {
                state.chunks = []
                state.nextChunk = 0
                state.bufferedBytes = 0
            }
            guard state.end == nil else { return nil }
            state.end = result
            defer { state.reader = nil }
            return state.reader
        }
        switch result {
        case .success: reader?.resume(returning: nil)
        case .failure(let error): reader?.resume(throwing: error)
        }
    }

    /// Reader: every remaining byte at once, if the body ended well and all of it is here; nil otherwise.
    func takeAllIfComplete() -> [UInt8]? {
        state.withLock { state in
            guard case .success? = state.end else { return nil }
            let remaining = state.chunks[state.nextChunk...]
            let bytes = remaining.count == 1 ? remaining[remaining.startIndex] : Array(remaining.joined())
            state.chunks = []
            state.nextChunk = 0
            state.bufferedBytes = 0
            return bytes
        }
    }

    /// Reader: the next chunk, `nil` at the end. `unpause` is called (outside the lock) when the
    /// transfer was paused and the buffer has drained enough to let it go on.
    func next(unpause: () -> Void) async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            var shouldUnpause = false
            let ready: Result<[UInt8]?, any Error>? = state.withLock { state in
                if state.nextChunk < state.chunks.count {
                    // Swap the chunk out so its slot holds no bytes, and drop taken slots now and then:
                    // a reader that never quite drains the buffer must not keep what it already took.
                    let chunk = state.chunks[state.nextChunk]
                    state.chunks[state.nextChunk] = []
                    state.nextChunk += 1
                    state.bufferedBytes -= chunk.count
                    if state.nextChunk == state.chunks.count {
                        state.chunks.removeAll(keepingCapacity: true)
                        state.nextChunk = 0
                    } else if state.nextChunk >= 64 {
                        state.chunks.removeFirst(state.nextChunk)
                        state.nextChunk = 0
                    }
                    if state.isPaused, state.bufferedBytes <= Self.lowWater {
                        state.isPaused = false
                        shouldUnpause = true
                    }
                    return .success(chunk)
                }
                if state.isPaused {
                    state.isPaused = false
                    shouldUnpause = true
                }
                switch state.end {
                case .success: return .success(nil)
                case .failure(let error): return .failure(error)
                case nil:
                    state.reader = continuation
                    return nil
                }
            }
            if shouldUnpause { unpause() }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
