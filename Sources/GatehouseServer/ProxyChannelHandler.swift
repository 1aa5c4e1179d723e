import GatehouseCore
import Logging
import NIOCore
import NIOHTTP1
import Proxy

/// The proxy's data path on plain HTTP/1.1: sits between NIO's HTTP/1.1 codec and Hummingbird's, and
/// carries every request for a proxied route itself, on the event loop of its connection, to a pooled
/// upstream connection on that same loop. Everything else (the dialects, JWKS, health, metrics, routes
/// with an `https://` upstream) passes through to Hummingbird untouched.
///
/// An artifact checked a moment ago costs no suspension (`ReverseProxy.knownCaller`); only a first sight
/// leaves the loop, for the check, and comes back. Backpressure holds both ways without buffers: the
/// client is not read while the upstream cannot take more, the upstream not while the client cannot.
///
/// Requests on one connection are answered in order: a request that arrives while one is in flight
/// (pipelined) waits, and the client is not read meanwhile. The connection's idle timeout and graceful
/// shutdown are kept here too, as they must see the proxied requests Hummingbird never does.
final class ProxyChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let running: RunningGateway
    private let connections: UpstreamConnections
    private let logger: Logger
    private let idleTimeout: TimeAmount?

    private var context: ChannelHandlerContext?
    private var loopConnections: LoopConnections?

    private enum Mode {
        /// Between requests.
        case idle
        /// Hummingbird has the current request.
        case passing
        /// `exchange` is being proxied.
        case proxying
        /// Answered on the loop (a forward-auth check): the rest of the request is read and dropped.
        case answered
    }

    private var mode = Mode.idle
    /// Passing: the request's end was handed on / Hummingbird wrote its response's end.
    private var passedRequestEnded = false
    private var passedResponseEnded = false
    /// Parts read and not yet handled: the body of the proxied request before the upstream can take it,
    /// and requests pipelined behind the current one.
    private var queue = CircularBuffer<HTTPServerRequestPart>(initialCapacity: 4)
    private var exchange: ProxyExchange?
    /// A `read()` is held back until `queue` is drained.
    private var readHeld = false
    /// Inside `channelRead`: upstream writes are flushed at `channelReadComplete`, so a request whose
    /// head and bad body framing arrive together never reaches the upstream at all.
    private var inRead = false
    private var upstreamNeedsFlush = false
    /// One idle check and one route-timeout check per connection, each rescheduled only when it fires
    /// early (NIO's timer heap was 5% of a proxied request's CPU when each request scheduled and
    /// cancelled both). `idleSince`: when the connection last became idle; nil while a request is on.
    private var idleTimer: Scheduled<Void>?
    private var idleSince: NIODeadline?
    private var routeCheck: Scheduled<Void>?
    private var routeCheckDue = NIODeadline.distantFuture
    private var sendTimer: Scheduled<Void>?
    /// Who this connection's last request was found to be (`ReverseProxy.knownCaller(_:remembered:)`).
    private var rememberedCaller: RememberedCaller?
    /// The upstream headers this connection's last proxied request was given (`ReverseProxy.rewrite`).
    private var rememberedRewrite: RememberedRewrite?
    /// Those headers with `Host`, as NIO's (`upstreamHead(_:endpoint:)`).
    private var lastUpstreamHead: (rewrite: RememberedRewrite, host: String, headers: HTTPHeaders)?
    /// The last forward-auth check let through, and NIO's headers of its answer (`answerForwardAuth`).
    private var rememberedDecision: RememberedDecision?
    private var lastDecisionHead: (decision: RememberedDecision, headers: HTTPHeaders)?
    /// The metric series this connection's last proxied answer went to.
    private var proxiedSeries: GatewayMetrics.ProxiedSeries?
    /// The headers of this connection's last request (`headerPairs`).
    private var lastHeaderPairs: [(String, String)] = []
    /// The client's headers of this connection's last proxied answer (`clientHead`).
    private var lastAnswer: RememberedAnswer?
    /// Where this connection's last request went (`proxiedRoute(_:path:gateway:proxy:)`).
    private var lastRouting: Routing?
    /// The connected peer's address, read once: it is the same for every request on the connection.
    private lazy var clientAddress: String? = context?.channel.remoteAddress?.ipAddress
    /// Graceful shutdown asked for: close once the request in flight is answered.
    private var quiescing = false
    /// Set by `RepeatedCheckHandler` while NIO's decoder reads one request head it handed on: what the
    /// decoder made of it.
    var observed: ObservedReads?
    /// The check `answerForwardAuth` let through while `observed` was set, to be answered again by
    /// `RepeatedCheckHandler` when its very bytes come again.
    var offered: RepeatableCheck?
    /// Between requests, nothing queued, nothing in flight, not closing: an answer written now is the next
    /// one the client is waiting for.
    var isBetweenRequests: Bool { mode == .idle && queue.isEmpty && exchange == nil && !quiescing }

    init(running: RunningGateway, connections: UpstreamConnections, idleTimeout: TimeAmount?, logger: Logger) {
        self.running = running
        self.connections = connections
        self.idleTimeout = idleTimeout
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.loopConnections = connections.onLoop(context.eventLoop)
        if context.channel.isActive { armIdleTimer() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        routeCheck?.cancel()
        sendTimer?.cancel()
        if let exchange {
            exchange.connection?.close()
            exchange.connection = nil
            self.exchange = nil
        }
        queue.removeAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        observed?.note(part)
        queue.append(part)
        inRead = true
        pump()
        inRead = false
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let exchange, exchange.forwardsWhenReadCompletes {
            exchange.forwardsWhenReadCompletes = false
            if !exchange.isSettled { tryNextUpstream(exchange) }
        }
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            flushUpstreamAtTickEnd()
        }
        // Hummingbird's handlers hear of a read only while they have a request: parts passed to them are
        // followed by a read-complete of their own (`pump`), and a proxied request is none of theirs
        // (four handlers walked for nothing on every proxied request otherwise).
        if mode == .passing { context.fireChannelReadComplete() }
    }

    func read(context: ChannelHandlerContext) {
        if queue.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if mode == .passing, case .end = unwrapOutboundIn(data) {
            passedResponseEnded = true
            passingMayBeDone()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            sendTimer?.cancel()
            sendTimer = nil
            if let exchange, exchange.isReadingPaused {
                exchange.isReadingPaused = false
                exchange.touch()
                exchange.connection?.setReading(true)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        if mode == .idle, queue.isEmpty { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request that cannot be parsed (bad chunk size, bad framing) while it is being proxied: the
        // upstream never sees its bytes unless earlier reads already went; the client gets 400 and the
        // connection ends, as there is no telling where the next request would start.
        guard mode == .proxying, let exchange, error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        log(.debug, "proxied request unreadable", exchange, ["error": "\(error)"])
        exchange.closeClient = true
        queue.removeAll()
        if exchange.responseStarted {
            abort(exchange)
        } else {
            answer(.badFraming, for: exchange)
        }
    }

    // MARK: Requests in order

    /// Handles queued parts for as long as the current state allows.
    private func pump() {
        guard let context else { return }
        var passedOn = false
        loop: while let part = queue.first {
            switch mode {
            case .idle:
                queue.removeFirst()
                guard case .head(let head) = part else { continue }
                if begin(head, context: context) { passedOn = true }
            case .answered:
                queue.removeFirst()
                if case .end = part {
                    mode = .idle
                    armIdleTimer()
                }
            case .passing:
                if passedRequestEnded { break loop }
                queue.removeFirst()
                context.fireChannelRead(wrapInboundOut(part))
                passedOn = true
                if case .end = part {
                    passedRequestEnded = true
                    passingMayBeDone()
                }
            case .proxying:
                guard let exchange, !exchange.requestEnded else { break loop }
                if exchange.isSettled {
                    // Answered already: the rest of this request's body is read and dropped.
                    queue.removeFirst()
                    if case .end = part {
                        exchange.requestEnded = true
                        exchangeMayBeDone(exchange)
                    }
                    continue
                }
                guard let connection = exchange.connection, exchange.headSent, connection.isWritable else { break loop }
                queue.removeFirst()
                switch part {
                case .head:
                    break
                case .body(let bytes):
                    connection.write(.body(.byteBuffer(bytes)))
                    exchange.touch()
                case .end(let trailers):
                    connection.write(.end(trailers))
                    exchange.requestEnded = true
                }
                flushUpstream()
            }
        }
        if passedOn { context.fireChannelReadComplete() }
        if queue.isEmpty, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func flushUpstream() {
        if inRead {
            upstreamNeedsFlush = true
        } else {
            flushUpstreamAtTickEnd()
        }
    }

    /// The upstream connection's writes go out with the loop's others, once this wake-up's events are handled.
    private func flushUpstreamAtTickEnd() {
        guard let connection = exchange?.connection else { return }
        if let loopConnections { loopConnections.flushAtTickEnd(connection) } else { connection.flush() }
    }

    /// The client's writes go out with the loop's others, once this wake-up's events are handled.
    private func flushAtTickEnd(_ context: ChannelHandlerContext) {
        if let loopConnections { loopConnections.flushAtTickEnd(self) } else { context.flush() }
    }

    /// Starts a request: refused at once, passed to Hummingbird, or proxied. True when passed on.
    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) -> Bool {
        idleSince = nil
        let (path, query) = Self.split(head.uri)
        let gateway = running.gateway
        // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400, whatever it asks for.
        if head.version == .http1_1, !head.headers.contains(name: "host") {
            refuse(.missingHost, head: head, path: path, metrics: gateway.metrics)
            return false
        }
        // RFC 9112 §6.3: a body framed by a coding other than chunked (alone) cannot be read, and
        // must not be guessed at: the upstream could read it differently (request smuggling).
        if head.headers.contains(name: "transfer-encoding"), !Self.isChunkedAlone(head.headers[canonicalForm: "transfer-encoding"]) {
            refuse(.badFraming, head: head, path: path, metrics: gateway.metrics)
            return false
        }
        if let convention = ForwardAuthConvention(path: path), let proxy = gateway.proxy,
            answerForwardAuth(convention, head: head, path: path, query: query, proxy: proxy, context: context)
        {
            return false
        }
        guard let proxy = gateway.proxy, case let routing = proxiedRoute(head, path: path, gateway: gateway, proxy: proxy),
            let route = routing.route
        else {
            mode = .passing
            passedRequestEnded = false
            passedResponseEnded = false
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return true
        }
        let requestID = head.headers.first(name: "x-request-id").flatMap(DialectMiddleware.saneRequestID) ?? RequestID.make()
        let proxyHead = ProxyRequestHead(
            method: head.method.rawValue, path: path, query: query, headers: headerPairs(head.headers),
            clientAddress: clientAddress, requestID: requestID)
        let exchange = ProxyExchange(
            head: proxyHead, rawPath: path, request: head, proxy: proxy, route: route, metrics: gateway.metrics,
            connectTimeout: .seconds(Int64(proxy.connectTimeoutSeconds)))
        self.exchange = exchange
        mode = .proxying
        if let refusal = proxy.admit(&exchange.head, safePath: routing.safePath) {
            answer(refusal, for: exchange)
            return false
        }
        exchange.upstreamPath = routing.upstreamPath ?? "/"
        if let caller = proxy.knownCaller(exchange.head.headers, remembered: &rememberedCaller) {
            authorized(caller, exchange: exchange)
        } else {
            // First sight of these artifacts: checked off the loop, then back on it.
            let bound = NIOLoopBound((self, exchange), eventLoop: context.eventLoop)
            let loop = context.eventLoop
            let headers = exchange.head.headers
            Task {
                let result: Result<ProxyCaller, any Error>
                do {
                    result = .success(try await proxy.resolveCaller(headers))
                } catch {
                    result = .failure(error)
                }
                loop.execute {
                    let (handler, exchange) = bound.value
                    handler.resolved(result, exchange: exchange)
                }
            }
        }
        return false
    }

    /// A request's headers as the proxy reads them. The very same headers as the connection's last request
    /// (bytes compared) give back the last one's array itself: every memo after it then tells them the
    /// same by their shared storage, without comparing again.
    private func headerPairs(_ headers: HTTPHeaders) -> [(String, String)] {
        if isByteForByte(headers, lastHeaderPairs) { return lastHeaderPairs }
        lastHeaderPairs = headers.map { ($0.name, $0.value) }
        return lastHeaderPairs
    }

    /// The route that proxies `head` here, nil when Hummingbird answers it (a dialect's endpoint, a
    /// reserved path, an `https://` upstream, no route). Decided from method, path and `Host` alone, so a
    /// connection asking for the same again as its last request (under the same gateway) gets the same.
    private func proxiedRoute(_ head: HTTPRequestHead, path: String, gateway: Gateway, proxy: ReverseProxy) -> Routing {
        let host = head.headers.first(name: "host")
        if let last = lastRouting, last.gateway === gateway, last.method == head.method, last.path.isByteForByte(path),
            last.host.isByteForByte(host)
        {
            return last
        }
        var route: ProxyRoute?
        if path.hasPrefix("/"), !Gateway.reservedPaths.contains(path), ForwardAuthConvention(path: path) == nil,
            gateway.claim(method: head.method.rawValue, path: path) != .endpoint,
            let found = proxy.route(method: head.method.rawValue, host: host, path: path), found.forwardsOverPlainHTTP
        {
            route = found
        }
        let routing = Routing(gateway: gateway, method: head.method, path: path, host: host, route: route, proxy: proxy)
        lastRouting = routing
        return routing
    }

    private func resolved(_ result: Result<ProxyCaller, any Error>, exchange: ProxyExchange) {
        guard self.exchange === exchange else { return }
        switch result {
        case .success(let caller):
            authorized(caller, exchange: exchange)
        case .failure:
            log(.error, "grant store failed", exchange)
            answer(.storeUnavailable, for: exchange)
        }
    }

    private func authorized(_ caller: ProxyCaller, exchange: ProxyExchange) {
        if let refusal = exchange.proxy.authorize(exchange.head, route: exchange.route, caller: caller, logger: logger) {
            answer(refusal, for: exchange)
            return
        }
        // The id alone: binding the whole grant out of `caller` would copy it.
        guard let grantID = caller.grant?.id else {
            forward(caller, assertion: nil, exchange: exchange)
            return
        }
        switch exchange.proxy.cachedAssertion(forGrant: grantID) {
        case .notConfigured:
            forward(caller, assertion: nil, exchange: exchange)
        case .ready(let assertion):
            forward(caller, assertion: assertion, exchange: exchange)
        case .toMake:
            guard let loop = context?.eventLoop, let grant = caller.grant else { return }
            let bound = NIOLoopBound((self, exchange), eventLoop: loop)
            let proxy = exchange.proxy
            Task {
                let assertion = await proxy.makeAssertion(for: grant)
                loop.execute {
                    let (handler, exchange) = bound.value
                    guard handler.exchange === exchange else { return }
                    handler.forward(caller, assertion: assertion, exchange: exchange)
                }
            }
        }
    }

    private func forward(_ caller: ProxyCaller, assertion: String?, exchange: ProxyExchange) {
        guard let context else { return }
        let proxy = exchange.proxy
        exchange.rewrite = proxy.rewrite(exchange.head, route: exchange.route, caller: caller, assertion: assertion, remembered: &rememberedRewrite)
        exchange.target = ReverseProxy.target(path: exchange.upstreamPath, query: exchange.head.query)
        exchange.order = exchange.route.upstreamOrder()
        if exchange.expectsContinue {
            // The client waits for this before it sends the body (ContinueHandler's job on Hummingbird's path).
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.request.version, status: .continue))), promise: nil)
        }
        // Within a read, the rest of what was read comes first: a body that cannot be parsed is refused
        // before the upstream is even connected to.
        if inRead {
            exchange.forwardsWhenReadCompletes = true
        } else {
            tryNextUpstream(exchange)
        }
    }

    // MARK: The upstream leg

    private func tryNextUpstream(_ exchange: ProxyExchange) {
        guard exchange.attempt < exchange.order.count else {
            answer(.badGateway, for: exchange)
            return
        }
        let base = exchange.order[exchange.attempt]
        exchange.attempt += 1
        guard let endpoint = exchange.route.endpoint(for: base) else {
            answer(.badGateway, for: exchange)
            return
        }
        exchange.base = base
        if let connection = loopConnections?.take(endpoint) {
            attach(connection, reused: true, to: exchange)
        } else {
            connect(endpoint, for: exchange)
        }
    }

    private func connect(_ endpoint: UpstreamEndpoint, for exchange: ProxyExchange) {
        guard let loopConnections else { return }
        loopConnections.connect(endpoint, timeout: exchange.connectTimeout).assumeIsolated().whenComplete { result in
            self.connected(result, endpoint: endpoint, exchange: exchange)
        }
    }

    private func connected(_ result: Result<any Channel, any Error>, endpoint: UpstreamEndpoint, exchange: ProxyExchange) {
        switch result {
        case .success(let channel):
            guard let connection = try? channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) else {
                channel.close(promise: nil)
                if self.exchange === exchange, !exchange.isSettled { answer(.badGateway, for: exchange) }
                return
            }
            guard self.exchange === exchange, !exchange.isSettled else {
                // The client went away or was answered meanwhile: the fresh connection serves the next one.
                loopConnections?.park(connection)
                return
            }
            attach(connection, reused: false, to: exchange)
        case .failure(let error):
            guard self.exchange === exchange, !exchange.isSettled else { return }
            if let channelError = error as? ChannelError, case .connectTimeout(_) = channelError {
                log(.warning, "upstream timed out", exchange)
                answer(.gatewayTimeout, for: exchange)
                return
            }
            exchange.route.upstreamRefused(exchange.base ?? "")
            log(.warning, "upstream refused the connection", exchange)
            // A request with a body is not sent twice, as on the libcurl path.
            if exchange.framing.hasBody {
                answer(.badGateway, for: exchange)
            } else {
                tryNextUpstream(exchange)
            }
        }
    }

    private func attach(_ connection: UpstreamConnection, reused: Bool, to exchange: ProxyExchange) {
        connection.delegate = self
        connection.uses += 1
        exchange.connection = connection
        exchange.connectionWasReused = reused
        let endpoint = connection.endpoint
        guard let rewrite = exchange.rewrite else {
            answer(.badGateway, for: exchange)  // not let through: never the case
            return
        }
        var headers = upstreamHead(rewrite, endpoint: endpoint)
        // Last, after the rewrite (as `HeaderRewrite.request` has it): the request id, then the framing.
        headers.add(name: "X-Request-Id", value: exchange.head.requestID)
        switch exchange.framing {
        case .chunked: headers.add(name: "Transfer-Encoding", value: "chunked")
        case .length(let length): headers.add(name: "Content-Length", value: length)
        case .none where exchange.request.method.mayCarryBody: headers.add(name: "Content-Length", value: "0")
        case .none: break
        }
        connection.write(.head(HTTPRequestHead(
            version: .http1_1, method: exchange.request.method, uri: endpoint.basePath + exchange.target, headers: headers)))
        exchange.headSent = true
        // A bodiless request tried again on a fresh connection has already been read to its end.
        if exchange.requestEnded { connection.write(.end(nil)) }
        startRouteTimer(exchange)
        flushUpstream()
        pump()
    }

    /// `Host` and the exchange's rewritten headers, as NIO's headers. The connection's last are reused for
    /// the same rewrite to the same host: NIO checks every header it is given, once is enough.
    private func upstreamHead(_ rewrite: RememberedRewrite, endpoint: UpstreamEndpoint) -> HTTPHeaders {
        if let last = lastUpstreamHead, last.rewrite === rewrite, last.host == endpoint.hostHeader { return last.headers }
        var headers = HTTPHeaders()
        headers.reserveCapacity(rewrite.headers.count + 3)
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(contentsOf: rewrite.headers)
        lastUpstreamHead = (rewrite, endpoint.hostHeader, headers)
        return headers
    }

    private func startRouteTimer(_ exchange: ProxyExchange) {
        let now = NIODeadline.now()
        exchange.lastActivity = now
        let due = now + TimeAmount.seconds(Int64(exchange.route.settings.timeoutSeconds))
        if routeCheck == nil || due < routeCheckDue { scheduleRouteCheck(at: due) }
    }

    /// The route's timeout counts silence: the time since the upstream last sent a byte or was sent one.
    /// The check is for whichever exchange is on when it fires; one still within its timeout is checked
    /// again when that would run out.
    private func scheduleRouteCheck(at due: NIODeadline) {
        guard let context else { return }
        routeCheck?.cancel()
        routeCheckDue = due
        routeCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            self.routeCheck = nil
            guard let exchange = self.exchange, exchange.connection != nil else { return }
            let timeout = TimeAmount.seconds(Int64(exchange.route.settings.timeoutSeconds))
            let silent = NIODeadline.now() - exchange.lastActivity
            if silent < timeout || exchange.isReadingPaused {
                self.scheduleRouteCheck(at: .now() + (exchange.isReadingPaused ? timeout : timeout - silent))
                return
            }
            self.log(.warning, "upstream timed out", exchange)
            exchange.connection?.close()
            exchange.connection = nil
            if exchange.responseStarted {
                self.abort(exchange)
            } else {
                self.answer(.gatewayTimeout, for: exchange)
            }
        }
    }

    // MARK: Answers

    /// Gatehouse's own answer to a proxied request (refusal, 502, 504). The upstream leg, if any, is
    /// dropped; the rest of the request's body is read and dropped, or, when the client still waits for
    /// `100 Continue` to send it, the connection ends after the answer.
    private func answer(_ answer: ProxyAnswer, for exchange: ProxyExchange) {
        guard let context, !exchange.responseStarted else { return }
        exchange.connection?.close()
        exchange.connection = nil
        exchange.isSettled = true
        if !exchange.requestEnded, exchange.expectsContinue, !exchange.headSent { exchange.closeClient = true }
        if !exchange.keepAlive || quiescing { exchange.closeClient = true }
        let written = context.eventLoop.makePromise(of: Void.self)
        writeAnswer(
            answer, version: exchange.request.version, requestID: exchange.head.requestID, close: exchange.closeClient, written: written,
            context: context)
        exchange.endWritten = written.futureResult
        exchange.responseStarted = true
        exchange.responseEnded = true
        exchange.metrics.proxied(route: exchange.route.settings.name, status: answer.status, upstream: nil)
        AccessLog.write(
            method: exchange.head.method, path: exchange.rawPath, status: answer.status, route: exchange.route.settings.name,
            requestID: exchange.head.requestID, since: exchange.started, logger: logger)
        if exchange.closeClient { exchange.requestEnded = true }
        exchangeMayBeDone(exchange)
        pump()
    }

    /// A forward-auth check answered here, when everything it needs is at hand: no body, artifacts
    /// checked a moment ago (`knownCaller`), any assertion already signed. False: Hummingbird's
    /// `ForwardAuthResponder` answers it (first sight of an artifact, a body to skip) — the same decision.
    private func answerForwardAuth(
        _ convention: ForwardAuthConvention, head: HTTPRequestHead, path: String, query: String?, proxy: ReverseProxy,
        context: ChannelHandlerContext
    ) -> Bool {
        let length = head.headers.first(name: "content-length")
        guard length == nil || length == "0", !head.headers.contains(name: "transfer-encoding") else { return false }
        let headers = headerPairs(head.headers)
        guard let caller = proxy.knownCaller(headers, remembered: &rememberedCaller) else { return false }
        let clientRequestID = head.headers.first(name: "x-request-id").flatMap(DialectMiddleware.saneRequestID)
        let requestID = clientRequestID ?? RequestID.make()
        let check = ProxyRequestHead(
            method: head.method.rawValue, path: path, query: query, headers: headers,
            clientAddress: clientAddress, requestID: requestID)
        guard let (answer, decision) = proxy.forwardAuthAnswer(check, convention: convention, caller: caller, logger: logger, remembered: &rememberedDecision)
        else { return false }
        let started = ContinuousClock.now
        let close = !head.isKeepAlive || quiescing
        // The same answer as the connection's last: NIO's headers for it are at hand already.
        let answerHeaders: HTTPHeaders
        if let decision, let last = lastDecisionHead, last.decision === decision {
            answerHeaders = last.headers
        } else {
            answerHeaders = Self.headers(of: answer)
            if let decision { lastDecisionHead = (decision, answerHeaders) }
        }
        let written = close ? context.eventLoop.makePromise(of: Void.self) : nil
        writeAnswer(answer, headers: answerHeaders, version: head.version, requestID: requestID, close: close, written: written, context: context)
        if observed != nil, let decision, let rememberedCaller, !close, head.version == .http1_1 {
            offered = RepeatableCheck(
                decision: decision, caller: rememberedCaller, status: answer.status, headers: answerHeaders, body: answer.body,
                clientRequestID: clientRequestID, method: head.method.rawValue, path: path)
        }
        AccessLog.write(
            method: head.method.rawValue, path: path, status: answer.status, route: "authz", requestID: requestID, since: started,
            logger: logger)
        if let written {
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            mode = .proxying  // nothing more is read from this connection
            queue.removeAll()
        } else {
            mode = .answered
        }
        return true
    }

    /// A request refused before routing (no Host, unreadable framing): 400, and the connection ends.
    private func refuse(_ answer: ProxyAnswer, head: HTTPRequestHead, path: String, metrics: GatewayMetrics) {
        guard let context else { return }
        let requestID = RequestID.make()
        let written = context.eventLoop.makePromise(of: Void.self)
        writeAnswer(answer, version: head.version, requestID: requestID, close: true, written: written, context: context)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        AccessLog.write(
            method: head.method.rawValue, path: path, status: answer.status, route: "gatehouse", requestID: requestID, since: .now,
            logger: logger)
        queue.removeAll()
        mode = .proxying  // nothing more is read from this connection
        exchange = nil
    }

    /// Writes a whole answer (`headers`: those of `headers(of:)`, made already); `written` completes once it is written.
    private func writeAnswer(
        _ answer: ProxyAnswer, headers: HTTPHeaders? = nil, version: HTTPVersion, requestID: String, close: Bool,
        written: EventLoopPromise<Void>?, context: ChannelHandlerContext
    ) {
        var headers = headers ?? Self.headers(of: answer)
        headers.add(name: "X-Request-Id", value: requestID)
        if close { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .init(statusCode: answer.status), headers: headers))), promise: nil)
        if !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: written)
        flushAtTickEnd(context)
    }

    /// An answer's own headers and its length, as NIO's headers.
    static func headers(of answer: ProxyAnswer) -> HTTPHeaders {
        var headers = HTTPHeaders(answer.headers)
        headers.add(name: "Content-Length", value: String(answer.body.count))
        return headers
    }

    /// Ends a proxied exchange whose answer broke off mid-way: both connections close.
    private func abort(_ exchange: ProxyExchange) {
        exchange.connection?.close()
        exchange.connection = nil
        exchange.isSettled = true
        queue.removeAll()
        context?.close(promise: nil)
    }

    // MARK: Ends

    private func exchangeMayBeDone(_ exchange: ProxyExchange) {
        guard self.exchange === exchange, exchange.responseEnded, exchange.requestEnded, let context else { return }
        self.exchange = nil
        if exchange.closeClient || quiescing {
            mode = .proxying  // nothing more is read from this connection
            queue.removeAll()
            // Closed once the answer is out: a close now would drop what the client has not yet taken.
            if let written = exchange.endWritten {
                written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
            return
        }
        mode = .idle
        armIdleTimer()
    }

    private func passingMayBeDone() {
        guard passedRequestEnded, passedResponseEnded else { return }
        mode = .idle
        if quiescing, queue.isEmpty {
            context?.close(promise: nil)
            return
        }
        armIdleTimer()
        // Requests that waited behind this one.
        if !queue.isEmpty, let context { context.eventLoop.assumeIsolated().execute { self.pump() } }
    }

    /// A check answered by `RepeatedCheckHandler`: the connection was in use a moment ago.
    func repeatedCheckAnswered() { armIdleTimer() }

    private func armIdleTimer() {
        guard let idleTimeout, context != nil, mode == .idle, queue.isEmpty else { return }
        idleSince = .now()
        if idleTimer == nil { scheduleIdleCheck(in: idleTimeout) }
    }

    private func scheduleIdleCheck(in delay: TimeAmount) {
        guard let context, let idleTimeout else { return }
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.idleTimer = nil
            guard self.mode == .idle, self.queue.isEmpty, let since = self.idleSince else { return }
            let idle = NIODeadline.now() - since
            if idle >= idleTimeout {
                context.close(promise: nil)
            } else {
                self.scheduleIdleCheck(in: idleTimeout - idle)
            }
        }
    }

    // MARK: Small helpers

    /// The path and query of a request target (`origin-form`).
    static func split(_ uri: String) -> (path: String, query: String?) {
        // Bytes, not Characters: `?` is ASCII, and this runs for every request.
        guard let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    /// Whether the `Transfer-Encoding` values name `chunked` and nothing else.
    static func isChunkedAlone(_ codings: [Substring]) -> Bool {
        codings.count == 1 && codings[0].lowercased().filter { $0 != " " && $0 != "\t" } == "chunked"
    }
}

// MARK: - The upstream's side

extension ProxyChannelHandler: UpstreamConnectionDelegate {
    func upstreamRead(_ part: HTTPClientResponsePart, from connection: UpstreamConnection) {
        guard let context, let exchange, exchange.connection === connection, !exchange.isSettled else { return }
        switch part {
        case .head(let response):
            exchange.touch()
            respond(with: response, exchange: exchange, context: context)
        case .body(let bytes):
            exchange.touch()
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
            if !context.channel.isWritable, !exchange.isReadingPaused {
                exchange.isReadingPaused = true
                connection.setReading(false)
                context.flush()
                startSendTimer(exchange)
            }
        case .end(let trailers):
            if exchange.requestEnded, !exchange.closeClient, !quiescing {
                // The exchange ends here and the connection stays: nothing waits for this write.
                context.write(wrapOutboundOut(.end(trailers)), promise: nil)
                flushAtTickEnd(context)
            } else {
                let written = context.eventLoop.makePromise(of: Void.self)
                context.write(wrapOutboundOut(.end(trailers)), promise: written)
                flushAtTickEnd(context)
                exchange.endWritten = written.futureResult
            }
            exchange.responseEnded = true
            exchange.connection = nil
            if exchange.upstreamKeepAlive, exchange.requestEnded, connection.isOpen {
                loopConnections?.park(connection)
            } else {
                connection.close()
            }
            // The upstream answered before the whole body came: the rest is read and dropped.
            if !exchange.requestEnded { exchange.isSettled = true }
            exchangeMayBeDone(exchange)
            pump()
        }
    }

    private func respond(with response: HTTPResponseHead, exchange: ProxyExchange, context: ChannelHandlerContext) {
        let base = exchange.base ?? ""
        exchange.route.upstreamAnswered(base)
        let status = Int(response.status.code)
        let answer = clientHead(response.headers, exchange: exchange, upstream: base)
        let contentLength = answer.contentLength
        var headers = answer.headers
        headers.add(name: "X-Request-Id", value: exchange.head.requestID)
        if let contentLength, status != 204 {
            headers.add(name: "Content-Length", value: String(contentLength))
        }
        exchange.upstreamKeepAlive = response.isKeepAlive
        // An HTTP/1.0 client reads an unsized body to the connection's end.
        if !exchange.keepAlive || quiescing || (exchange.request.version == .http1_0 && contentLength == nil) {
            exchange.closeClient = true
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        let version: HTTPVersion = exchange.request.version == .http1_0 ? .http1_0 : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        exchange.responseStarted = true
        exchange.metrics.proxied(
            route: exchange.route.settings.name, status: status, upstream: .now - exchange.started, series: &proxiedSeries)
        AccessLog.write(
            method: exchange.head.method, path: exchange.rawPath, status: status, route: exchange.route.settings.name,
            requestID: exchange.head.requestID, since: exchange.started, logger: logger)
    }

    /// The client's headers of an upstream's answer (`ReverseProxy.clientHeaders`, its X-Request-Id left out
    /// for the request's own), as NIO's, and the body length it announces. A function of the upstream's
    /// headers, the route and the upstream alone: an answer alike in all of them to the connection's last
    /// (the same headers byte for byte, as a kept-alive upstream sends within the second of its `Date`)
    /// gets the last one's, not filtered and checked again.
    private func clientHead(_ upstream: HTTPHeaders, exchange: ProxyExchange, upstream base: String) -> RememberedAnswer {
        if let last = lastAnswer, last.route === exchange.route, last.base == base, last.matches(upstream) { return last }
        let upstreamHeaders = upstream.map { ($0.name, $0.value) }
        let forClient = exchange.proxy.clientHeaders(upstreamHeaders, route: exchange.route, upstream: base)
        var headers = HTTPHeaders()
        headers.reserveCapacity(forClient.count + 3)
        // The request's id replaces any the upstream sent.
        for (name, value) in forClient where !name.equalsIgnoringASCIICase("x-request-id") { headers.add(name: name, value: value) }
        let made = RememberedAnswer(
            upstream: upstreamHeaders, route: exchange.route, base: base, headers: headers,
            contentLength: ReverseProxy.contentLength(of: upstreamHeaders))
        lastAnswer = made
        return made
    }

    func upstreamReadComplete(_ connection: UpstreamConnection) {
        if let context { flushAtTickEnd(context) }
    }

    func upstreamWritabilityChanged(_ connection: UpstreamConnection) {
        guard connection.isWritable, exchange?.connection === connection else { return }
        pump()
    }

    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?) {
        guard let exchange, exchange.connection === connection else { return }
        exchange.connection = nil
        guard !exchange.responseStarted else {
            log(.warning, "upstream broke off its answer", exchange)
            abort(exchange)
            return
        }
        // A kept-alive connection the upstream closed just as it was reused: once more, on a fresh one.
        if exchange.connectionWasReused, !exchange.framing.hasBody, !exchange.retriedStale, let endpoint = exchange.route.endpoint(for: exchange.base ?? "") {
            exchange.retriedStale = true
            exchange.headSent = false
            connect(endpoint, for: exchange)
            return
        }
        log(.warning, "upstream failed", exchange, ["error": "\(error.map { String(describing: $0) } ?? "closed before answering")"])
        answer(.badGateway, for: exchange)
    }

    private func startSendTimer(_ exchange: ProxyExchange) {
        guard let context, sendTimer == nil else { return }
        let limit = TimeAmount.seconds(Int64(exchange.proxy.sendTimeoutSeconds))
        sendTimer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            self.sendTimer = nil
            guard self.exchange === exchange, !context.channel.isWritable else { return }
            self.log(.info, "client stopped reading: connection closed", exchange)
            self.abort(exchange)
        }
    }

    /// A log line about `exchange`, naming its request, route and upstream (userinfo redacted) as
    /// `RequestLogContext` does for requests handled in a Task; the event-loop path has no task-locals.
    private func log(_ level: Logger.Level, _ message: Logger.Message, _ exchange: ProxyExchange, _ extra: Logger.Metadata = [:]) {
        var metadata: Logger.Metadata = ["request_id": "\(exchange.head.requestID)", "route": "\(exchange.route.settings.name)"]
        if let base = exchange.base { metadata["upstream"] = "\(redactingUserInfo(base))" }
        metadata.merge(extra) { $1 }
        logger.log(level: level, message, metadata: metadata)
    }
}

/// The client's headers of an upstream's answer, and what they were made from (`ProxyChannelHandler.clientHead`).
private final class RememberedAnswer {
    /// The upstream's headers, as it sent them.
    private let upstream: [(String, String)]
    let route: ProxyRoute
    let base: String
    /// Without X-Request-Id, the length and Connection, which each answer adds for itself.
    let headers: HTTPHeaders
    let contentLength: Int?

    init(upstream: [(String, String)], route: ProxyRoute, base: String, headers: HTTPHeaders, contentLength: Int?) {
        self.upstream = upstream
        self.route = route
        self.base = base
        self.headers = headers
        self.contentLength = contentLength
    }

    /// Whether `headers` are the upstream's headers remembered, byte for byte and in order.
    func matches(_ headers: HTTPHeaders) -> Bool {
        isByteForByte(headers, upstream)
    }
}

/// Whether NIO's headers are `pairs`, names and values byte for byte and in order.
private func isByteForByte(_ headers: HTTPHeaders, _ pairs: [(String, String)]) -> Bool {
    headers.count == pairs.count && zip(headers, pairs).allSatisfy { $0.name.isByteForByte($1.0) && $0.value.isByteForByte($1.1) }
}

/// Where a connection's request went, by what decides it (`ProxyChannelHandler.proxiedRoute`). A class:
/// read on every request, copied by one retain.
private final class Routing {
    let gateway: Gateway
    let method: HTTPMethod
    let path: String
    let host: String?
    /// Nil: Hummingbird answers.
    let route: ProxyRoute?
    /// `ReverseProxy.safePath(path)`: the path as the route sees it, nil when refused.
    let safePath: String?
    /// The path the upstream is asked for (`ReverseProxy.upstreamPath`), nil when refused.
    let upstreamPath: String?

    init(gateway: Gateway, method: HTTPMethod, path: String, host: String?, route: ProxyRoute?, proxy: ReverseProxy) {
        self.gateway = gateway
        self.method = method
        self.path = path
        self.host = host
        self.route = route
        let safePath = route == nil ? nil : ReverseProxy.safePath(path)
        self.safePath = safePath
        if let route, let safePath {
            upstreamPath = proxy.upstreamPath(safePath, route: route)
        } else {
            upstreamPath = nil
        }
    }
}

/// One proxied request and what is known of it so far. Lives on its connection's event loop.
final class ProxyExchange {
    enum Framing {
        case none
        case length(String)
        case chunked

        var hasBody: Bool {
            switch self {
            case .none: false
            case .length(let length): length != "0"
            case .chunked: true
            }
        }
    }

    var head: ProxyRequestHead
    /// The path as sent, for the access line.
    let rawPath: String
    let request: HTTPRequestHead
    let proxy: ReverseProxy
    let route: ProxyRoute
    let metrics: GatewayMetrics
    let connectTimeout: TimeAmount
    let started = ContinuousClock.now
    let framing: Framing
    let keepAlive: Bool
    let expectsContinue: Bool

    /// The upstream's headers but `Host`, the request id and the framing; nil until let through.
    var rewrite: RememberedRewrite?
    /// The path the upstream is asked for, once admitted (`ReverseProxy.upstreamPath`).
    var upstreamPath = "/"
    var target = "/"
    var order: [String] = []
    var attempt = 0
    var base: String?
    var connection: UpstreamConnection?
    var connectionWasReused = false
    var retriedStale = false
    var headSent = false
    /// The client's request has been read to its end (and sent on, unless settled).
    var requestEnded = false
    var responseStarted = false
    var responseEnded = false
    /// The answer is decided (Gatehouse's own, or the upstream's complete): the rest of the body is dropped.
    var isSettled = false
    var upstreamKeepAlive = true
    /// The client connection ends after this exchange.
    var closeClient = false
    /// Reading from the upstream is paused while the client catches up.
    var isReadingPaused = false
    /// Set when the request is sent (`startRouteTimer`), before anything reads it.
    var lastActivity = NIODeadline.uptimeNanoseconds(0)
    /// Let through during a read: forwarded when the read completes.
    var forwardsWhenReadCompletes = false
    /// Completes once the answer's last part is written (the connection may close after it).
    var endWritten: EventLoopFuture<Void>?

    init(
        head: ProxyRequestHead, rawPath: String, request: HTTPRequestHead, proxy: ReverseProxy, route: ProxyRoute,
        metrics: GatewayMetrics, connectTimeout: TimeAmount
    ) {
        self.head = head
        self.rawPath = rawPath
        self.request = request
        self.proxy = proxy
        self.route = route
        self.metrics = metrics
        self.connectTimeout = connectTimeout
        if request.headers.contains(name: "transfer-encoding") {
            framing = .chunked
        } else if let length = request.headers.first(name: "content-length") {
            framing = .length(length)
        } else {
            framing = .none
        }
        keepAlive = request.isKeepAlive
        expectsContinue =
            framing.hasBody && request.headers[canonicalForm: "expect"].contains { ExpectContinue.asksForContinue(String($0)) }
    }

    func touch() {
        lastActivity = .now()
    }
}

extension HTTPMethod {
    /// Methods NIO's encoder frames with `chunked` when no length is given; an empty body is sent as `Content-Length: 0`.
    fileprivate var mayCarryBody: Bool {
        switch self {
        case .POST, .PUT, .PATCH: true
        default: false
        }
    }
}

extension ProxyChannelHandler: TickFlushable {
    func flushNow() { context?.flush() }
}
