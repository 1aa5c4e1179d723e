import Hummingbird

/// A request context that knows the client's TCP source port: one port per connection, so a test server
/// can count the connections a client opened to it.
public struct PeerContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client's TCP source port; -1 when the channel has no remote address.
    public let peerPort: Int

    /// The context of one request arriving on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerPort = source.channel.remoteAddress?.port ?? -1
    }
}
