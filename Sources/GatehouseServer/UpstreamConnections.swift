import NIOCore
import NIOHTTP1
import NIOPosix
import Proxy
import Synchronization

/// What an upstream connection tells the proxied exchange it currently serves. Called on the event loop
/// both channels share.
protocol UpstreamConnectionDelegate: AnyObject {
    func upstreamRead(_ part: HTTPClientResponsePart, from connection: UpstreamConnection)
    func upstreamReadComplete(_ connection: UpstreamConnection)
    func upstreamWritabilityChanged(_ connection: UpstreamConnection)
    /// The connection closed or failed; it is not used again.
    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?)
}

/// A channel end whose writes `LoopConnections.flushAtTickEnd` flushes.
protocol TickFlushable: AnyObject {
    func flushNow()
}

/// The last handler of a pooled upstream HTTP/1.1 client channel (after NIO's request encoder and
/// response decoder): hands what the upstream sends to the exchange it serves, or, while it waits in
/// the pool, closes on anything but silence.
final class UpstreamConnection: ChannelInboundHandler, RemovableChannelHandler, TickFlushable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let endpoint: UpstreamEndpoint
    /// The handler before the response decoder, which says what transfer coding an answer is in.
    private let framing: UpstreamFramingHandler
    private var inflater: GzipInflater?
    private(set) var context: ChannelHandlerContext?
    /// The exchange being served; nil while parked in the pool.
    weak var delegate: (any UpstreamConnectionDelegate)?
    /// Called once when the channel goes away, to take it out of the pool.
    var onClose: ((UpstreamConnection) -> Void)?
    private(set) var isOpen = true
    /// Requests this connection has carried (the first on a fresh connection is 1).
    var uses = 0

    init(endpoint: UpstreamEndpoint, framing: UpstreamFramingHandler) {
        self.endpoint = endpoint
        self.framing = framing
    }

    /// An answer in a transfer coding that cannot be undone here.
    struct UnsupportedTransferCoding: Error {}

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func write(_ part: HTTPClientRequestPart) {
        if case .head = part { framing.expectHead() }
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func flushNow() { flush() }

    /// Reading from the upstream is stopped while the client catches up.
    private(set) var isReadingPaused = false

    /// Stops or resumes reading from the upstream: the client is not taking what was read.
    func setReading(_ reading: Bool) {
        guard let context, isReadingPaused == reading else { return }
        isReadingPaused = !reading
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: reading)
        if reading { context.read() }
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        delegate = nil
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let delegate else {
            // Parked: an idle connection has nothing to say. Whatever it is, the connection is not reused.
            close()
            return
        }
        var part = unwrapInboundIn(data)
        switch part {
        case .head:
            switch framing.coding {
            case .identity: inflater = nil
            case .gzip: inflater = GzipInflater()
            case .unsupported:
                errorCaught(context: context, error: UnsupportedTransferCoding())
                return
            }
        case .body(let bytes):
            if let inflater {
                do {
                    part = .body(try inflater.inflate(bytes, allocator: context.channel.allocator))
                } catch {
                    errorCaught(context: context, error: error)
                    return
                }
            }
        case .end:
            inflater = nil
        }
        delegate.upstreamRead(part, from: self)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete(self)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(self)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed(error: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed(error: nil)
    }

    private func closed(error: (any Error)?) {
        let delegate = self.delegate
        isOpen = false
        self.delegate = nil
        onClose?(self)
        onClose = nil
        delegate?.upstreamClosed(self, error: error)
    }
}

/// Kept-alive upstream connections, per event loop: a proxied request is forwarded over a connection on
/// its own client's loop, so the two channels never hand work to another thread.
final class UpstreamConnections: Sendable {
    private let loops = Mutex<[ObjectIdentifier: NIOLoopBound<LoopConnections>]>([:])
    /// Idle connections kept per loop and upstream; more are closed when they come back.
    let idlePerUpstream: Int

    init(idlePerUpstream: Int = 128) {
        self.idlePerUpstream = idlePerUpstream
    }

    /// The connections of `eventLoop`; call on that loop.
    func onLoop(_ eventLoop: any EventLoop) -> LoopConnections {
        let key = ObjectIdentifier(eventLoop)
        let bound = loops.withLock { loops in
            if let existing = loops[key] { return existing }
            let made = NIOLoopBound(LoopConnections(eventLoop: eventLoop, idleLimit: idlePerUpstream), eventLoop: eventLoop)
            loops[key] = made
            return made
        }
        return bound.value
    }
}

/// One event loop's idle upstream connections, by endpoint, and its flushes held to the end of the loop's
/// tick. Used only on that loop.
final class LoopConnections {
    let eventLoop: any EventLoop
    let idleLimit: Int
    private var idle: [UpstreamEndpoint: [UpstreamConnection]] = [:]
    private var flushes: [any TickFlushable] = []

    init(eventLoop: any EventLoop, idleLimit: Int) {
        self.eventLoop = eventLoop
        self.idleLimit = idleLimit
    }

    /// An idle connection to `endpoint`, the most recently parked first (it is the likeliest still open).
    func take(_ endpoint: UpstreamEndpoint) -> UpstreamConnection? {
        while let connection = idle[endpoint]?.popLast() {
            if connection.isOpen { return connection }
        }
        return nil
    }

    /// Keeps a connection whose last exchange ended cleanly, for the next request to `endpoint`.
    func park(_ connection: UpstreamConnection) {
        connection.delegate = nil
        // Read while parked, so an upstream closing it is noticed and it leaves the pool.
        connection.setReading(true)
        guard connection.isOpen, Self.append(connection, to: &idle[connection.endpoint, default: []], limit: idleLimit) else {
            connection.close()
            return
        }
        // Once per connection, not per park: it only ever takes a closed connection out of the pool.
        if connection.onClose == nil {
            connection.onClose = { [weak self] closed in
                self?.idle[closed.endpoint]?.removeAll { $0 === closed }
            }
        }
    }

    /// Appends `connection` to `idle` unless it holds `limit` already: one lookup of the endpoint's list.
    private static func append(_ connection: UpstreamConnection, to idle: inout [UpstreamConnection], limit: Int) -> Bool {
        guard idle.count < limit else { return false }
        idle.append(connection)
        return true
    }

    /// Flushes `channel` once the loop has handled every event of this wake-up, with the others held so: the
    /// requests a wake-up read go to their upstreams together, and the answers to their clients, so a peer
    /// on the other core is woken once for them all rather than once each.
    func flushAtTickEnd(_ channel: any TickFlushable) {
        if flushes.isEmpty {
            eventLoop.assumeIsolatedUnsafeUnchecked().execute { [self] in
                let due = flushes
                flushes.removeAll(keepingCapacity: true)
                for channel in due { channel.flushNow() }
            }
        }
        flushes.append(channel)
    }

    /// A new connection to `endpoint` on this loop; its `UpstreamConnection` is the pipeline's last handler.
    func connect(_ endpoint: UpstreamEndpoint, timeout: TimeAmount) -> EventLoopFuture<any Channel> {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let framing = UpstreamFramingHandler()
                    try channel.pipeline.syncOperations.addHandler(framing)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(endpoint: endpoint, framing: framing))
                }
            }
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            return bootstrap.connect(to: address)
        }
        return bootstrap.connect(host: endpoint.host, port: endpoint.port)
    }
}
