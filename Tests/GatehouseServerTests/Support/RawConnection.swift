import GatehouseTesting
import NIOCore
import NIOPosix
import Synchronization

/// A bare TCP connection to 127.0.0.1: bytes written as given, bytes read as they come. For what an
/// HTTP client library hides (interim responses, the order of head and body).
///
/// A read's `within` only bounds a hang: the tests share two cores with a build and with each other, so
/// the default is 30 s, far past any answer a test waits for. A test that measures time says so itself.
final class RawConnection: Sendable {
    private let channel: any Channel
    private let received: Received

    /// Connects to `port`, runs `body`, closes. With `reading` false nothing is ever read from the socket:
    /// a client that has stopped reading. `opening`, if given, is written the moment the connection is up,
    /// on the event loop: for a test of an idle timeout, whose clock starts at the connect, where a write
    /// from `body` can come seconds later on a loaded machine (the test's task waits for a free thread).
    static func with<T: Sendable>(
        port: Int, reading: Bool = true, opening: String? = nil, _ body: (RawConnection) async throws -> T
    ) async throws -> T {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received, opening: opening))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let connection = RawConnection(channel: channel, received: received)
        do {
            let result = try await body(connection)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    func write(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes)
    }

    /// Whether the peer closed the connection within `seconds`.
    func closedByPeer(within seconds: Double) async throws -> Bool {
        try await eventually(within: .seconds(seconds)) { received.isClosed }
    }

    /// Everything up to and including the next blank line (one response head), or whatever arrived
    /// before the connection closed or `seconds` passed.
    func readHead(within seconds: Double = 30) async throws -> String {
        try await take(within: seconds) { bytes in
            bytes.indices.dropFirst(3).first { bytes[($0 - 3)...$0].elementsEqual("\r\n\r\n".utf8) }.map { $0 + 1 }
        }
    }

    /// The next `count` bytes (a body), or fewer if the connection closed or `seconds` passed.
    func read(count: Int, within seconds: Double = 30) async throws -> String {
        try await take(within: seconds) { bytes in bytes.count >= count ? count : nil }
    }

    /// The body that follows `head`, read as the head frames it: chunked, or `Content-Length` bytes
    /// (none without either); nil when chunked framing breaks.
    func readBody(framedBy head: String, within seconds: Double = 30) async throws -> String? {
        let fields = head.lowercased().split(separator: "\r\n")
        if fields.contains("transfer-encoding: chunked") { return try await readChunkedBody(within: seconds) }
        let length = fields.first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst("content-length:".count).filter { $0 != " " }) }
        return try await read(count: length ?? 0, within: seconds)
    }

    /// The next body framed with `Transfer-Encoding: chunked` (RFC 9112 §7.1), its chunks joined; nil
    /// when the bytes that came are not that framing, or stop before its end.
    func readChunkedBody(within seconds: Double = 30) async throws -> String? {
        var body = ""
        while true {
            let sizeLine = Array(try await readLine(within: seconds).utf8)
            let digits = sizeLine.dropLast(2).prefix { $0 != UInt8(ascii: ";") }
            guard sizeLine.suffix(2).elementsEqual("\r\n".utf8), let size = Int(String(decoding: digits, as: UTF8.self), radix: 16)
            else { return nil }
            if size == 0 { break }
            let chunk = Array(try await read(count: size + 2, within: seconds).utf8)
            guard chunk.count == size + 2, chunk.suffix(2).elementsEqual("\r\n".utf8) else { return nil }
            body += String(decoding: chunk.dropLast(2), as: UTF8.self)
        }
        // Trailer fields, if any, up to the blank line that ends the message.
        while true {
            let line = try await readLine(within: seconds)
            guard line.utf8.last == UInt8(ascii: "\n") else { return nil }
            if line == "\r\n" { return body }
        }
    }

    /// The next line, CRLF included, or whatever arrived before the connection closed or `seconds` passed.
    private func readLine(within seconds: Double) async throws -> String {
        try await take(within: seconds) { bytes in
            bytes.indices.dropFirst().first { bytes[$0 - 1] == UInt8(ascii: "\r") && bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        }
    }

    /// Waits until `end` finds where the wanted bytes end, the peer closes or time is up; returns
    /// those bytes (or all there are) and keeps the rest for the next read.
    private func take(within seconds: Double, until end: @Sendable ([UInt8]) -> Int?) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let taken = received.take(until: end, orAllIfClosed: false) { return String(decoding: taken, as: UTF8.self) }
            try await Task.sleep(for: .milliseconds(5))
        }
        return String(decoding: received.take(until: end, orAllIfClosed: true) ?? [], as: UTF8.self)
    }

    /// What the connection has received and not yet handed out.
    private final class Received: Sendable {
        private let state = Mutex<(bytes: [UInt8], isClosed: Bool)>(([], false))

        func append(_ buffer: ByteBuffer) { state.withLock { $0.bytes += buffer.readableBytesView } }
        func close() { state.withLock { $0.isClosed = true } }
        var isClosed: Bool { state.withLock { $0.isClosed } }

        func take(until end: ([UInt8]) -> Int?, orAllIfClosed all: Bool) -> [UInt8]? {
            state.withLock { state in
                let count = end(state.bytes) ?? (all || state.isClosed ? state.bytes.count : nil)
                guard let count else { return nil }
                defer { state.bytes.removeFirst(count) }
                return Array(state.bytes[..<count])
            }
        }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let received: Received
        let opening: String?

        init(received: Received, opening: String?) {
            self.received = received
            self.opening = opening
        }

        func channelActive(context: ChannelHandlerContext) {
            if let opening { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: opening)), promise: nil) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received.append(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            received.close()
            context.fireChannelInactive()
        }
    }
}
