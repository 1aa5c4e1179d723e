import Foundation
import GatehouseTesting
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// What the echo upstream noticed that a response cannot show: a download broken off.
final class EchoProbe: Sendable {
    private let aborted = Mutex(0)
    private let served = Mutex(0)
    private let written = Mutex(0)
    private let read = Mutex(0)

    var abortedDownloads: Int { aborted.withLock { $0 } }
    var requests: Int { served.withLock { $0 } }
    func abortedDownload() { aborted.withLock { $0 += 1 } }
    func request() { served.withLock { $0 += 1 } }
    /// Body bytes `/bytes` has written so far, and `/echo` has read, over all requests.
    var bytesWritten: Int { written.withLock { $0 } }
    var bytesRead: Int { read.withLock { $0 } }
    func wrote(_ count: Int) { written.withLock { $0 += count } }
    func readBody(_ count: Int) { read.withLock { $0 += count } }
}

/// A legacy service behind the proxy, on a real socket: it shows what it received.
///
/// - `/echo/**` (any method): JSON `{"name","method","path","query","headers":[[n,v]…],"bodyBytes"}`.
/// - `POST /mirror`: streams the request body back (no Content-Length: chunked).
/// - `GET /bytes/:count`: `count` bytes of `i % 251`, with Content-Length; `?chunked` leaves it out.
/// - `GET /headers`: custom and repeated headers, plus hop-by-hop ones and cookies named like Gatehouse's, which a
///   proxy must drop.
/// - `GET /slow`: answers after 3 s.
/// - `GET /redirect/**`: 302 to this server's own absolute URL for the rest of the path (`?away`: to another site).
/// - `HEAD` of any `GET` route: that route's head without its body, `Content-Length` kept, as real servers answer.
enum EchoUpstream {
    static func router(name: String = "echo", probe: EchoProbe = EchoProbe()) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            router.on("echo/**", method: method) { request, _ -> Response in
                probe.request()
                var count = 0
                for try await buffer in request.body {
                    count += buffer.readableBytes
                    probe.readBody(buffer.readableBytes)
                }
                let headers = request.headers.map { [$0.name.rawName, $0.value] } + (request.head.authority.map { [["Host", $0]] } ?? [])
                let object: [String: Any] = [
                    "name": name, "method": request.method.rawValue, "path": request.uri.path,
                    "query": request.uri.query ?? "", "headers": headers, "bodyBytes": count,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        router.post("mirror") { request, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody(asyncSequence: request.body))
        }
        router.get("bytes/:count") { request, context -> Response in
            let count = try context.parameters.require("count", as: Int.self)
            let chunked = request.uri.query?.contains("chunked") == true
            let block = (0..<65_536).map { UInt8($0 % 251) }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody(contentLength: chunked ? nil : count) { writer in
                var sent = 0
                do {
                    while sent < count {
                        // Each block continues the pattern where the last one stopped.
                        let start = sent % 251
                        let size = min(65_536 - 251, count - sent)
                        try await writer.write(ByteBuffer(bytes: block[start..<(start + size)]))
                        probe.wrote(size)
                        sent += size
                    }
                    try await writer.finish(nil)
                } catch {
                    probe.abortedDownload()
                    throw error
                }
            })
        }
        router.get("headers") { _, _ -> Response in
            var fields = HTTPFields()
            fields.append(HTTPField(name: .init("X-Custom")!, value: "one"))
            fields.append(HTTPField(name: .setCookie, value: "legacy_a=1; Path=/"))
            fields.append(HTTPField(name: .setCookie, value: "legacy_b=2; Path=/; HttpOnly"))
            // A legacy ServiceStack or ASP.NET minting its own session under Gatehouse's cookie names.
            fields.append(HTTPField(name: .setCookie, value: "ss-id=upstream-session; path=/; httponly"))
            fields.append(HTTPField(name: .setCookie, value: ".AspNet.ApplicationCookie=upstream-ticket; path=/"))
            fields.append(HTTPField(name: .init("Keep-Alive")!, value: "timeout=5"))
            fields.append(HTTPField(name: .init("Proxy-Authenticate")!, value: "Basic"))
            return Response(status: .created, headers: fields, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        router.get("redirect/**") { request, _ -> Response in
            let target = request.uri.query == "away"
                ? "https://id.example/login"
                : "http://\(request.head.authority ?? "")" + request.uri.path.dropFirst("/redirect".count)
            return Response(status: .found, headers: [.location: target])
        }
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "late"
        }
        return router
    }

    /// The byte `i` of a `/bytes` answer.
    static func byte(at index: Int) -> UInt8 { UInt8(index % 251) }
}
