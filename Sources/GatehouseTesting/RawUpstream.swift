import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1 that answers every request head with the same bytes, written as given,
/// then closes the connection. For what no HTTP server library would write (an answer whose framing
/// headers contradict each other), and for a stand-in whose only job is to show whether anyone came.
///
/// The answer may come in parts, written `pause` apart: the client then sees the head before the
/// body is complete, as from an upstream still producing it.
public struct RawUpstream: Sendable {
    /// The port it listens on.
    public let port: Int
    private let accepted: Tally

    /// How many connections it has accepted so far.
    public var connections: Int { accepted.count }

    /// Calls `body` with a server that answers `parts`, one after the other, to every request, then
    /// stops the server.
    public static func run<T: Sendable>(
        answering parts: [String], pause: TimeAmount = .milliseconds(200), _ body: @Sendable (RawUpstream) async throws -> T
    ) async throws -> T {
        try await run(answeringBytes: parts.map { Array($0.utf8) }, pause: pause, body)
    }

    /// As `run(answering:)`, for answers whose bytes are not all text (a compressed body).
    public static func run<T: Sendable>(
        answeringBytes parts: [[UInt8]], pause: TimeAmount = .milliseconds(200), _ body: @Sendable (RawUpstream) async throws -> T
    ) async throws -> T {
        let accepted = Tally()
        let answer = parts.map { ByteBuffer(bytes: $0) }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.increment()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Answerer(answer: answer, pause: pause))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        do {
            let result = try await body(RawUpstream(port: channel.localAddress?.port ?? 0, accepted: accepted))
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// A count shared with the event loop's threads.
    private final class Tally: Sendable {
        private let value = Atomic(0)
        var count: Int { value.load(ordering: .relaxed) }
        func increment() { value.add(1, ordering: .relaxed) }
    }

    /// Waits for the end of the request head (a body, if any, is never read), writes the answer, closes.
    private final class Answerer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let answer: [ByteBuffer]
        let pause: TimeAmount
        private var head: [UInt8] = []
        private var answered = false

        init(answer: [ByteBuffer], pause: TimeAmount) {
            self.answer = answer
            self.pause = pause
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            head += unwrapInboundIn(data).readableBytesView
            guard head.indices.dropFirst(3).contains(where: { head[($0 - 3)...$0].elementsEqual("\r\n\r\n".utf8) }) else { return }
            answered = true
            Self.write(answer[...], pause: pause, on: context.channel)
        }

        /// Writes the first part, then the rest after `pause`; closes after the last.
        private static func write(_ parts: ArraySlice<ByteBuffer>, pause: TimeAmount, on channel: any Channel) {
            guard let part = parts.first else {
                channel.close(promise: nil)
                return
            }
            channel.writeAndFlush(part).whenComplete { _ in
                let rest = parts.dropFirst()
                channel.eventLoop.scheduleTask(in: rest.isEmpty ? .zero : pause) { write(rest, pause: pause, on: channel) }
            }
        }
    }
}
