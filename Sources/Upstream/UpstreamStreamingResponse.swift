import Synchronization

/// Status and headers of an upstream's final response.
public struct UpstreamResponseHead: Sendable {
    /// HTTP status code (never an interim 1xx).
    public var status: Int
    /// Headers in wire order, names as the server sent them. libcurl has already undone the
    /// chunked transfer coding, so `Transfer-Encoding` describes bytes that are no longer there.
    public var headers: [(String, String)]

    /// Creates a head.
    public init(status: Int, headers: [(String, String)]) {
        self.status = status
        self.headers = headers
    }
}

/// An upstream response whose body is still arriving.
public struct UpstreamStreamingResponse: Sendable {
    /// Status and headers.
    public var head: UpstreamResponseHead
    /// The body, read once; reading slowly slows the upstream down (libcurl pauses the transfer).
    public let body: UpstreamResponseBody
}

/// The bytes of a streaming response, in chunks as they arrive.
///
/// Dropping the body or calling `cancel()` before the end abandons the transfer (its connection
/// is closed, not reused); a transport failure mid-body is thrown by the iterator.
public struct UpstreamResponseBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    final class Handle: Sendable {
        let transfer: CurlTransfer
        let loop: CurlMultiLoop

        init(transfer: CurlTransfer, loop: CurlMultiLoop) {
            self.transfer = transfer
            self.loop = loop
        }

        deinit {
            // Nobody can read the rest: stop the transfer if it still runs.
            if !transfer.isFinished.load(ordering: .acquiring) { loop.remove(transfer) }
        }

        func next() async throws -> [UInt8]? {
            let transfer = self.transfer
            let loop = self.loop
            return try await withTaskCancellationHandler {
                try await transfer.responseBody.next { loop.unpause(transfer) }
            } onCancel: {
                transfer.abandon()
                loop.remove(transfer)
            }
        }
    }

    let handle: Handle

    /// Iterates the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let handle: Handle

        /// The next chunk, or nil at the end of the body.
        public mutating func next() async throws -> [UInt8]? {
            try await handle.next()
        }
    }

    /// An iterator over the chunks.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: handle)
    }

    /// Abandons the rest of the body: readers get `CancellationError`, the transfer stops.
    public func cancel() {
        handle.transfer.abandon()
        handle.loop.remove(handle.transfer)
    }

    /// The whole body, when the transfer has already ended well and every byte is waiting here
    /// (a small answer usually is by the time its head arrives); nil otherwise, and nothing is taken.
    public func takeIfComplete() -> [UInt8]? {
        handle.transfer.responseBody.takeAllIfComplete()
    }

    /// Reads the whole body into memory (for small answers such as sign-in replies), at most `maxBytes` of it.
    ///
    /// - Throws: `UpstreamError.responseTooLarge` as soon as more than `maxBytes` have arrived, having
    ///   abandoned the transfer; otherwise what the iterator throws.
    public func collect(upTo maxBytes: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard chunk.count <= maxBytes - bytes.count else {
                cancel()
                throw UpstreamError.responseTooLarge
            }
            bytes += chunk
        }
        return bytes
    }
}
