import GatehouseTesting
import HummingbirdTesting
import Testing

/// Message framing through the proxy, on the wire: a body's length is told once and truly, so the
/// client's connection stays in step with Gatehouse and Gatehouse's with the upstream.
@Suite struct ProxyFramingTests {
    /// A public route `/open` → `upstream`, prefix stripped.
    static func open(_ upstream: String, extra: [String: Any] = [:]) -> [String: Any] {
        ["name": "open", "pathPrefix": "/open", "upstream": upstream, "stripPrefix": true, "policy": "public"].merging(extra) { $1 }
    }

    /// The head of an answer both chunked and sized, the size wrong: the chunks frame it (RFC 9112 §6.3).
    static let chunkedAndSized = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// Whole, and in two parts (the head then reaches Gatehouse before the body is complete).
    @Test(arguments: [
        [chunkedAndSized + "5\r\nhello\r\n0\r\n\r\n"],
        [chunkedAndSized + "5\r\nhello\r\n", "0\r\n\r\n"],
    ])
    func anAnswerChunkedDespiteAContentLengthReachesTheClientChunked(parts: [String]) async throws {
        try await RawUpstream.run(answering: parts) { upstream in
            let config = try ProxyConfiguration.make(routes: [Self.open("http://127.0.0.1:\(upstream.port)")])
            try await withLiveGateway(config) { client in
                try await RawConnection.with(port: try #require(client.client.port)) { connection in
                    // Twice on one connection: the second answer starts where the first one said it ended.
                    for _ in 0..<2 {
                        try await connection.write("GET /open/x HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        let head = try await connection.readHead()
                        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
                        #expect(try await connection.readBody(framedBy: head) == "hello")
                        // Passed on as the upstream framed it: chunked, no length.
                        #expect(head.lowercased().contains("\r\ntransfer-encoding: chunked\r\n"), "\(head)")
                        #expect(!head.lowercased().contains("content-length:"), "\(head)")
                    }
                }
            }
        }
    }
}
