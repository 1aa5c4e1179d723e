import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Proxy

/// A forward-auth check sent again, byte for byte, on the connection it was let through on a moment ago,
/// answered from those bytes: the same bytes are the same request, so NIO's decoder, the artifact reading
/// and the decision would all come out as they did. What may have changed since is checked again, every
/// time: the gateway (a reload), the check behind the caller (`GrantService.stillHolds`: expiry,
/// revocation) and the assertion (`ReverseProxy.stillAnswers`). Anything else — other bytes, a refusal,
/// the connection busy — is NIO's decoder's and `ProxyChannelHandler`'s, as every request is the first time.
///
/// The first handler of a plain HTTP/1.1 connection, in front of NIO's decoder. It looks for nothing in
/// the bytes but the blank line that ends a head; it never parses one. It holds back the start of a head
/// until its end has come (up to `longestHead`), so it knows where each request starts, for as long as
/// every request has been a forward-auth check, one head alone, read whole by the decoder with no body,
/// and kept alive. After anything else (a proxied request, a body, two requests in one read, an upgrade)
/// it only hands bytes on, for the rest of the connection.
///
/// Measured (bench/authz, the nginx front asking over 64 kept-alive connections): NIO's HTTP/1 server
/// answering 200 by itself needs ~15 µs a check here, its channel alone ~11 µs — as much as nginx's own
/// `return 200`. The decoder, the encoder and the parts' walk through the pipeline are the difference.
final class RepeatedCheckHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The longest head held back until its end comes; a longer one goes to NIO's decoder as it comes,
    /// under the decoder's own limits.
    static let longestHead = 16 * 1024

    private let proxy: ProxyChannelHandler
    private let running: RunningGateway
    private let logger: Logger
    /// Every byte handed on so far ended a request the decoder read whole: the next byte starts a request.
    /// Once false, it stays false.
    private var atRequestStart = true
    /// The start of a head whose end has not come yet.
    private var partial: ByteBuffer?
    /// The last check let through on this connection, and its head's bytes.
    private var repeatable: (head: ByteBuffer, check: RepeatableCheck)?
    /// Bytes went to the decoder in this read: the handlers behind hear of its end too.
    private var handedOn = false
    /// A repeat was answered in this read.
    private var answered = false

    init(proxy: ProxyChannelHandler, running: RunningGateway, logger: Logger) {
        self.proxy = proxy
        self.running = running
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard atRequestStart else {
            handedOn = true
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if var held = partial {
            partial = nil
            held.writeBuffer(&bytes)
            bytes = held
        }
        while bytes.readableBytes > 0 {
            switch Self.head(bytes) {
            case .incomplete where bytes.readableBytes <= Self.longestHead:
                partial = bytes
                return
            case .incomplete, .unusual:
                handOn(bytes, oneHead: false, context: context)
                return
            case .complete(let length):
                // ByteBuffer's `==` compares the readable bytes (memcmp).
                if let repeatable, bytes.getSlice(at: bytes.readerIndex, length: length) == repeatable.head,
                    answerAgain(repeatable.check, context: context)
                {
                    bytes.moveReaderIndex(forwardBy: length)
                    continue
                }
                handOn(bytes, oneHead: length == bytes.readableBytes, context: context)
                return
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if answered {
            answered = false
            // Repeats go out at the end of their read, not held to the end of the loop's wake-up as the
            // proxy's writes are: the asking proxy waits on each answer before it lets its request through.
            context.flush()
            // Only repeats, answered between requests: every handler behind would pass the next `read()` on.
            // Asked for here, it goes straight to the socket, and NIO's own read after this one (autoRead) is
            // not walked through the whole pipeline (`BaseSocketChannel.readIfNeeded0`: a read is pending).
            if !handedOn { context.read() }
        }
        guard handedOn else { return }
        handedOn = false
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handOnPartial(context: context)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { handOnPartial(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    /// The start of a head, handed on as it is: the connection ends, and the decoder has the last word.
    private func handOnPartial(context: ChannelHandlerContext) {
        guard let bytes = partial else { return }
        partial = nil
        handOn(bytes, oneHead: false, context: context)
        if handedOn {
            handedOn = false
            context.fireChannelReadComplete()
        }
    }

    /// Hands `bytes` to NIO's decoder. When they are one whole head and nothing more, what the decoder and
    /// `ProxyChannelHandler` made of it says whether the next byte starts a request, and which check, if
    /// any, may be answered again.
    private func handOn(_ bytes: ByteBuffer, oneHead: Bool, context: ChannelHandlerContext) {
        handedOn = true
        guard oneHead else {
            atRequestStart = false
            repeatable = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            return
        }
        // `offered` is set only while `observed` is, and both are cleared below.
        proxy.observed = ObservedReads()
        context.fireChannelRead(wrapInboundOut(bytes))
        let seen = proxy.observed
        let offered = proxy.offered
        proxy.observed = nil
        proxy.offered = nil
        atRequestStart = seen?.wereOneCheckAlone ?? false
        if !atRequestStart {
            repeatable = nil
        } else if let offered {
            repeatable = (bytes, offered)
        }
    }

    /// Answers `check` again, when it still holds and the connection is waiting for nothing else.
    private func answerAgain(_ check: RepeatableCheck, context: ChannelHandlerContext) -> Bool {
        guard proxy.isBetweenRequests, context.channel.isWritable, let reverseProxy = running.gateway.proxy,
            reverseProxy.stillAnswers(check.decision, caller: check.caller)
        else { return false }
        let started = ContinuousClock.now
        let requestID = check.clientRequestID ?? RequestID.make()
        context.write(wrapOutboundOut(check.answer(requestID: requestID, allocator: context.channel.allocator)), promise: nil)
        proxy.repeatedCheckAnswered()
        answered = true
        AccessLog.write(
            method: check.method, path: check.path, status: check.status, route: "authz", requestID: requestID, since: started, logger: logger)
        return true
    }

    enum Head: Equatable {
        /// The head ends after this many bytes, at its first empty line.
        case complete(Int)
        /// No empty line yet.
        case incomplete
        /// A line ends in a bare LF: the decoder's to judge.
        case unusual
    }

    /// Where the head `bytes` start with ends. Every line of it must end in CRLF.
    static func head(_ bytes: ByteBuffer) -> Head {
        bytes.withUnsafeReadableBytes { raw -> Head in
            guard let base = raw.baseAddress else { return .incomplete }
            var start = 0
            while start < raw.count, let found = memchr(base + start, 10, raw.count - start) {
                let newline = base.distance(to: UnsafeRawPointer(found))
                guard newline >= 1, raw[newline - 1] == 13 else { return .unusual }
                // An empty line: CRLF right after the previous line's CRLF (or at the very start, which the
                // decoder skips as it may, RFC 9112 §2.2).
                if newline >= 3, raw[newline - 2] == 10, raw[newline - 3] == 13 { return .complete(newline + 1) }
                start = newline + 1
            }
            return .incomplete
        }
    }
}

/// What NIO's decoder made of the bytes `RepeatedCheckHandler` handed it (`ProxyChannelHandler.observed`).
struct ObservedReads {
    private var heads = 0
    private var bodies = 0
    private var ends = 0
    private var plainCheck = true

    mutating func note(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            heads += 1
            // A forward-auth check, kept alive, with no body and no switch of protocol: the decoder is at the
            // start of the next request, which may well be the same check again. Anything else (a proxied
            // request, a sign-in) says the connection is not a proxy's checks.
            plainCheck = plainCheck && head.uri.utf8.starts(with: "/authz/".utf8) && head.version == .http1_1 && head.isKeepAlive
                && !head.headers.contains(name: "upgrade") && !head.headers.contains(name: "transfer-encoding")
                && (head.headers.first(name: "content-length") ?? "0") == "0"
        case .body: bodies += 1
        case .end: ends += 1
        }
    }

    /// One whole forward-auth check, head and end, with no body, after which the decoder expects a new request.
    var wereOneCheckAlone: Bool { heads == 1 && ends == 1 && bodies == 0 && plainCheck }
}

/// A forward-auth check let through (`ProxyChannelHandler.answerForwardAuth`), as `RepeatedCheckHandler`
/// answers it again: the decision and the caller it rests on, and its answer's bytes but the request id.
final class RepeatableCheck {
    let decision: RememberedDecision
    let caller: RememberedCaller
    let status: Int
    /// The status line and headers as NIO's encoder writes them, up to `X-Request-Id` and the blank line.
    private let head: [UInt8]
    private let body: [UInt8]
    /// The request's own `X-Request-Id` (sane), which its answer carries back; nil: each answer makes one.
    let clientRequestID: String?
    let method: String
    let path: String

    init(
        decision: RememberedDecision, caller: RememberedCaller, status: Int, headers: HTTPHeaders, body: [UInt8], clientRequestID: String?,
        method: String, path: String
    ) {
        self.decision = decision
        self.caller = caller
        self.status = status
        var head = Array("HTTP/1.1 \(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase)\r\n".utf8)
        for (name, value) in headers {
            head += name.utf8
            head += ": ".utf8
            head += value.utf8
            head += "\r\n".utf8
        }
        self.head = head
        self.body = body
        self.clientRequestID = clientRequestID
        self.method = method
        self.path = path
    }

    /// The whole answer with `requestID`.
    func answer(requestID: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: head.count + requestID.utf8.count + 18 + body.count)
        out.writeBytes(head)
        out.writeStaticString("X-Request-Id: ")
        out.writeString(requestID)
        out.writeStaticString("\r\n\r\n")
        out.writeBytes(body)
        return out
    }
}
