import NIOCore
import NIOHTTP1
import NIOPosix

// `nio-proxy PORT UPSTREAM_PORT`: the least a reverse proxy built on SwiftNIO's HTTP/1 codec costs: each
// client connection gets its own kept-alive upstream connection on its own event loop, made at its first
// request; a request's head (its target with `/bench` stripped, `Host` set to the upstream's) and end go
// to it, the answer's parts come back as they are. No routing, no policy, no header rules, no timeouts.

/// The client side: forwards each request to this connection's upstream and its answer back.
final class ProxyFloor: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let upstreamPort: Int
    var context: ChannelHandlerContext?
    var upstream: (any Channel)?
    var pending: [HTTPClientRequestPart] = []

    init(upstreamPort: Int) { self.upstreamPort = upstreamPort }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            var uri = head.uri
            if uri.hasPrefix("/bench") { uri.removeFirst("/bench".count) }
            if uri.isEmpty { uri = "/" }
            var headers = head.headers
            headers.replaceOrAdd(name: "Host", value: "127.0.0.1:\(upstreamPort)")
            send(.head(HTTPRequestHead(version: .http1_1, method: head.method, uri: uri, headers: headers)))
        case .body(let bytes):
            send(.body(.byteBuffer(bytes)))
        case .end(let trailers):
            send(.end(trailers))
            upstream?.flush()
        }
    }

    private func send(_ part: HTTPClientRequestPart) {
        if let upstream {
            upstream.write(part, promise: nil)
            return
        }
        pending.append(part)
        guard pending.count == 1, let context else { return }
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerBack(client: handler.value))
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .assumeIsolated()
            .whenComplete { result in
                let this = handler.value
                guard case .success(let channel) = result else {
                    this.context?.close(promise: nil)
                    return
                }
                this.upstream = channel
                for part in this.pending { channel.write(part, promise: nil) }
                this.pending.removeAll()
                channel.flush()
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }

    func answered(_ part: HTTPClientResponsePart) {
        guard let context else { return }
        switch part {
        case .head(let head):
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: head.status, headers: head.headers))), promise: nil)
        case .body(let bytes):
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        case .end(let trailers):
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
        }
    }
}

/// The upstream side: hands each part of the answer to the client connection it serves.
final class AnswerBack: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let client: ProxyFloor
    init(client: ProxyFloor) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.answered(unwrapInboundIn(data))
    }
}

let arguments = CommandLine.arguments.dropFirst()
let port = arguments.first.flatMap { Int($0) } ?? 8080
let upstreamPort = arguments.dropFirst().first.flatMap { Int($0) } ?? 8081
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let channel = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
            try channel.pipeline.syncOperations.addHandler(ProxyFloor(upstreamPort: upstreamPort))
        }
    }
    .bind(host: "127.0.0.1", port: port)
    .get()
try await channel.closeFuture.get()
