import GatehouseTesting
import HTTPTypes
import Hummingbird
import NIOCore

/// A real Hummingbird server on 127.0.0.1 with an ephemeral port, for the client to talk to.
///
/// Routes: `GET /echo` answers 200 with the `X-Probe` request header echoed as `X-Echo` and body
/// `hello`; `POST /echo` answers 201 with the request body and method echoed; `GET /slow` sleeps
/// 2 s before answering; `GET /peer` answers with the client's TCP source port, so tests can see
/// which requests shared a connection; `GET /bytes/{count}` answers `count` bytes (with Content-Length).
enum TestUpstreamServer {
    static let probe = HTTPField.Name("X-Probe")!
    static let echo = HTTPField.Name("X-Echo")!
    static let method = HTTPField.Name("X-Method")!

    /// Runs `body` with the port of a freshly started server, then stops the server.
    static func with<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        try await LoopbackServer.run(router(), body)
    }

    private static func router() -> Router<PeerContext> {
        let router = Router(context: PeerContext.self)
        router.get("echo") { request, _ -> Response in
            var headers = HTTPFields()
            headers[echo] = request.headers[probe] ?? ""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "hello")))
        }
        router.post("echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPFields()
            headers[method] = request.method.rawValue
            return Response(status: .created, headers: headers, body: .init(byteBuffer: body))
        }
        router.put("echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers = HTTPFields()
            headers[method] = request.method.rawValue
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(2))
            return "late"
        }
        router.get("peer") { _, context -> String in
            String(context.peerPort)
        }
        router.get("bytes/:count") { _, context -> Response in
            let count = try context.parameters.require("count", as: Int.self)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x5A, count: count)))
        }
        return router
    }
}
