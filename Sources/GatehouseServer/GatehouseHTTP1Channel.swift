import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 child channel (as `HTTP1Channel` sets it up) with `ProxyChannelHandler` between
/// NIO's codec and Hummingbird's: proxied requests are carried on the event loop, the rest reach the router.
/// In front of NIO's codec, `RepeatedCheckHandler` answers a forward-auth check sent again byte for byte.
/// The connection's idle timeout is the proxy handler's, since only it sees every request.
struct GatehouseHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let running: RunningGateway
    let connections: UpstreamConnections
    let idleTimeout: TimeAmount?
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // requests are answered in order by the proxy handler and Hummingbird
                withErrorHandling: false,  // Hummingbird answers parse errors, the proxy handler those of proxied requests
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: .init())
            let proxy = ProxyChannelHandler(running: running, connections: connections, idleTimeout: idleTimeout, logger: self.logger)
            try pipeline.addHandler(
                RepeatedCheckHandler(proxy: proxy, running: running, logger: self.logger),
                position: .first)
            try pipeline.addHandler(proxy)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(ContinueHandler())
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
