import NIOCore
import NIOHTTP1
import NIOPosix

// `nio-hello PORT [empty]`: SwiftNIO's HTTP/1 server answering every request with the upstream's own 6-byte
// body (or, with `empty`, no body, as a forward-auth decision point answers), one event loop per core: the
// floor under any Swift HTTP server on this machine.

/// Answers each request once its end has arrived, with a fixed head and body.
final class FixedAnswer: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let headers: HTTPHeaders
    private let body: String

    init(body: String) {
        self.body = body
        self.headers = ["Content-Type": "text/plain", "Content-Length": String(body.utf8.count)]
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let body = CommandLine.arguments.dropFirst(2).first == "empty" ? "" : "hello\n"
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(FixedAnswer(body: body))
        }
    }
    .bind(host: "127.0.0.1", port: port)
    .get()
try await channel.closeFuture.get()
