import GatehouseCore
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

    /// A body means nothing to HEAD (RFC 9110 §9.3.2): the upstream gets a bare HEAD, and the exchange
    /// ends with the answer's head, well within the route's timeout.
    @Test func aHeadWithABodyEndsWithItsHeadAndLeavesTheConnectionInStep() async throws {
        let probe = EchoProbe()
        let routes: @Sendable (Int) -> [[String: Any]] = { [Self.open("http://127.0.0.1:\($0)", extra: ["timeoutSeconds": 5])] }
        try await ReverseProxyTests.withProxy(routes: routes, probe: probe) { client, _ in
            try await RawConnection.with(port: try #require(client.client.port)) { connection in
                let start = ContinuousClock.now
                try await connection.write("HEAD /open/echo/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
                let head = try await connection.readHead(within: 10)
                // The echo answers HEAD with its GET's head: 200, JSON, the length of the body it leaves out.
                #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
                #expect(head.contains("\r\nContent-Type: application/json\r\n"), "\(head)")
                #expect(head.contains("\r\nContent-Length: "), "\(head)")
                // The next request on the connection gets its own answer at once.
                try await connection.write("GET /open/echo/y HTTP/1.1\r\nHost: localhost\r\n\r\n")
                let next = try await connection.readHead(within: 10)
                #expect(next.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(next)")
                let body = try await connection.readBody(framedBy: next) ?? ""
                #expect(JSONValue.parse(Array(body.utf8))?["path"] == .string("/echo/y"))
                #expect(ContinuousClock.now - start < .seconds(3), "the route's timeout is 5 s")
            }
        }
        #expect(probe.requests == 2)
    }
}
