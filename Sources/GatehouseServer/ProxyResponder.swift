import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Proxy
import Upstream

/// Carries one request through the reverse proxy, streaming both bodies: Hummingbird's request
/// body into libcurl, libcurl's response body into Hummingbird's writer. Backpressure holds on
/// both legs: each side's buffer is bounded and its writer waits while it is full.
enum ProxyResponder {
    /// Bytes written between two round trips through the event loop.
    static let syncEvery = 1 << 20

    static func respond(
        _ request: Request, route: ProxyRoute, proxy: ReverseProxy, context: GatewayRequestContext, requestID: String,
        metrics: GatewayMetrics, logger: Logger
    ) async -> Response {
        let started = ContinuousClock.now
        var headers: [(String, String)] = request.headers.map { ($0.name.rawName, $0.value) }
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        let head = ProxyRequestHead(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query, headers: headers,
            clientAddress: context.remoteAddress?.ipAddress, requestID: requestID)
        let pump = BodyPump()
        let outcome = await proxy.handle(head, route: route, logger: logger) {
            let body = pump.start(request, headers: request.headers)
            if body != nil { ExpectContinue.requestBody(of: request, on: context.channel) }
            return body
        }
        switch outcome {
        case .answer(let answer):
            pump.stop()
            metrics.proxied(route: route.settings.name, status: answer.status, upstream: nil)
            var fields = fieldsOf(answer.headers)
            fields.append(HTTPField(name: DialectMiddleware.requestIDField, value: requestID))
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        case .upstream(let status, let upstreamHeaders, let contentLength, let body):
            metrics.proxied(route: route.settings.name, status: status, upstream: ContinuousClock.now - started)
            var fields = fieldsOf(upstreamHeaders)
            fields[values: DialectMiddleware.requestIDField] = [requestID]
            let bodyLength = request.method == .head || status == 204 || status == 304 ? nil : contentLength
            if request.method == .head || status == 304, let contentLength {
                // No body follows, but the length of the one that would have is part of the answer.
                fields[.contentLength] = String(contentLength)
            }
            if contentLength != nil || request.method == .head, let whole = body.takeIfComplete() {
                // The whole answer is already here: one batched write of head, body and end. (Only for
                // answers the upstream sized: a chunked one stays chunked, as the upstream framed it.)
                pump.stop()
                return Response(
                    status: HTTPResponse.Status(code: status), headers: fields,
                    body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: whole)))
            }
            let eventLoop = context.eventLoop
            let channel = context.channel
            let sendTimeout = proxy.sendTimeout
            return Response(
                status: HTTPResponse.Status(code: status), headers: fields,
                body: ResponseBody(contentLength: bodyLength) { writer in
                    let watchdog = SendWatchdog(channel: channel, limit: sendTimeout)
                    defer { watchdog.stop() }
                    do {
                        var unsynced = 0
                        for try await chunk in body {
                            try await watchdog.write { try await writer.write(ByteBuffer(bytes: chunk)) }
                            unsynced += chunk.count
                            if unsynced >= Self.syncEvery {
                                // The writer suspends only once the channel reports itself unwritable, and it
                                // learns that on the event loop: writes queued faster than a busy loop runs
                                // them would pile up unbounded. A round trip through the loop lets it catch up.
                                try await eventLoop.submit {}.get()
                                unsynced = 0
                            }
                        }
                        try await writer.finish(nil)
                        pump.stop()
                    } catch {
                        // The client went away, or the upstream broke off: stop both transfers.
                        body.cancel()
                        pump.stop()
                        throw error
                    }
                })
        }
    }

    static func fieldsOf(_ headers: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count + 1)
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}
