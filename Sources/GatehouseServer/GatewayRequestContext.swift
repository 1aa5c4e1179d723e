import Hummingbird
import Logging
import NIOCore

/// The request context of every Gatehouse request: Hummingbird's core storage plus the peer address.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected client (`X-Forwarded-For` is not trusted for this).
    public let remoteAddress: SocketAddress?
    /// The connection's event loop: a round trip through it paces streamed responses (see `ProxyResponder`).
    public let eventLoop: any EventLoop
    /// The connection, for `ExpectContinue` to ask for a `100 Continue` on.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.eventLoop = source.channel.eventLoop
        self.channel = source.channel
    }
}
