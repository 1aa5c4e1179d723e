import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// `Expect: 100-continue` (RFC 9110 §10.1.1): the client sends the head and waits for `100 Continue`
/// before the body. Neither Hummingbird nor NIO answers it, so clients waited out their own timeout
/// on every upload (curl 1 s, .NET Framework's `HttpWebRequest` 350 ms on every POST).
///
/// The 100 goes out only when Gatehouse starts reading the body (`ExpectContinue.requestBody`): a
/// request refused first (no artifact, no role, a refused method) gets its 401/403 before the client
/// has sent a byte of its body, as nginx does.
enum ExpectContinue {
    /// The outbound user event that asks `ContinueHandler` for the 100.
    struct SendContinue: Sendable {}

    /// Call just before reading `request`'s body: lets the client send it, if it is waiting to.
    static func requestBody(of request: Request, on channel: any Channel) {
        guard let expect = request.headers[.expect], asksForContinue(expect) else { return }
        channel.triggerUserOutboundEvent(SendContinue(), promise: nil)
    }

    /// Whether an `Expect` value asks for `100 Continue` (its only defined expectation; any case).
    static func asksForContinue(_ expect: String) -> Bool {
        expect.lowercased().contains("100-continue")
    }
}

/// Sits after Hummingbird's HTTP codec: notes a request head that expects `100 Continue` and writes
/// the 100 when asked (`ExpectContinue.SendContinue`), unless the final answer went out first.
final class ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A request head expecting 100 arrived, and neither the 100 nor a final answer has been written.
    private var isAwaited = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), let expect = head.headerFields[.expect] {
            isAwaited = ExpectContinue.asksForContinue(expect)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), head.status.kind != .informational {
            isAwaited = false
        }
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is ExpectContinue.SendContinue else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if isAwaited {
            isAwaited = false
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        promise?.succeed()
    }
}
