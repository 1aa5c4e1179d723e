import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

// `nio-hello PORT [empty] [held | raw]`: SwiftNIO's HTTP/1 server answering every request with the upstream's own
// 6-byte body (or, with `empty`, no body, as a forward-auth decision point answers), one event loop per core:
// the floor under any Swift HTTP server on this machine. With `held`, each loop holds its answers' flushes to
// the end of its wake-up and flushes them together, as Gatehouse's proxy handler does.

/// Answers each request once its end has arrived, with a fixed head and body.
final class FixedAnswer: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let headers: HTTPHeaders
    private let body: String
    /// Set (`held`): flushes wait for the end of the loop's wake-up.
    private let flusher: HeldFlushes?
    private var context: ChannelHandlerContext?

    init(body: String, flusher: HeldFlushes?) {
        self.body = body
        self.flusher = flusher
        self.headers = ["Content-Type": "text/plain", "Content-Length": String(body.utf8.count)]
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }
    func flushNow() { context?.flush() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        if let flusher {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            flusher.flushAtTickEnd(self)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// `raw`: no HTTP codec at all. Each request head (up to its blank line) gets a fixed answer, written straight
/// into the channel's bytes and flushed at the end of the read: NIO's channel machinery alone, with nothing of
/// HTTP parsing (bodies are not handled; the benchmark's subrequests have none).
final class RawAnswer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answer: ByteBuffer
    private var pending: ByteBuffer?
    private var answered = false

    init(body: String) {
        answer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var before = pending {
            before.writeBuffer(&bytes)
            bytes = before
        }
        while let end = Self.headEnd(in: bytes) {
            bytes.moveReaderIndex(forwardBy: end)
            context.write(wrapOutboundOut(answer), promise: nil)
            answered = true
        }
        pending = bytes.readableBytes > 0 ? bytes : nil
    }

    /// The length of the first request head in `bytes`, through its blank line; nil while it is incomplete.
    private static func headEnd(in bytes: ByteBuffer) -> Int? {
        bytes.withUnsafeReadableBytes { raw -> Int? in
            var i = 3
            while i < raw.count {
                if raw[i] == 10, raw[i - 1] == 13, raw[i - 2] == 10, raw[i - 3] == 13 { return i + 1 }
                i += 1
            }
            return nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if answered {
            answered = false
            context.flush()
        }
    }
}

/// One event loop's flushes held to the end of its wake-up. Used only on that loop.
final class HeldFlushes {
    let eventLoop: any EventLoop
    private var due: [FixedAnswer] = []

    init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func flushAtTickEnd(_ answer: FixedAnswer) {
        if due.isEmpty {
            eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
                let now = due
                due.removeAll(keepingCapacity: true)
                for answer in now { answer.flushNow() }
            }
        }
        due.append(answer)
    }
}

/// Each loop's `HeldFlushes`, made on first use.
let flushers = Mutex<[ObjectIdentifier: NIOLoopBound<HeldFlushes>]>([:])
func heldFlushes(_ loop: any EventLoop) -> HeldFlushes {
    flushers.withLock { all in
        if let made = all[ObjectIdentifier(loop)] { return made.value }
        let made = HeldFlushes(eventLoop: loop)
        all[ObjectIdentifier(loop)] = NIOLoopBound(made, eventLoop: loop)
        return made
    }
}

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let options = CommandLine.arguments.dropFirst(2)
let body = options.contains("empty") ? "" : "hello\n"
let held = options.contains("held")
let raw = options.contains("raw")
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            if raw {
                try channel.pipeline.syncOperations.addHandler(RawAnswer(body: body))
                return
            }
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            let flusher = held ? heldFlushes(channel.eventLoop) : nil
            try channel.pipeline.syncOperations.addHandler(FixedAnswer(body: body, flusher: flusher))
        }
    }
    .bind(host: "127.0.0.1", port: port)
    .get()
try await channel.closeFuture.get()
