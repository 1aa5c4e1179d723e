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
        // Twice on one connection: the second answer starts where the first one said it ended.
        for (head, body) in try await Self.twoAnswers(to: parts.map { Array($0.utf8) }) {
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
            #expect(body == "hello")
            // Passed on as the upstream framed it: chunked, no length.
            #expect(head.lowercased().contains("\r\ntransfer-encoding: chunked\r\n"), "\(head)")
            #expect(!head.lowercased().contains("content-length:"), "\(head)")
        }
    }

    /// The heads and bodies of the answers to `GET /open/x`, sent twice on one raw client connection
    /// through a live Gatehouse to an upstream that writes `parts`.
    static func twoAnswers(to parts: [[UInt8]]) async throws -> [(head: String, body: String?)] {
        try await RawUpstream.run(answeringBytes: parts) { upstream in
            let config = try ProxyConfiguration.make(routes: [Self.open("http://127.0.0.1:\(upstream.port)")])
            return try await withLiveGateway(config) { client in
                try await RawConnection.with(port: try #require(client.client.port)) { connection in
                    var answers: [(head: String, body: String?)] = []
                    for _ in 0..<2 {
                        try await connection.write("GET /open/x HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        let head = try await connection.readHead()
                        answers.append((head, try await connection.readBody(framedBy: head)))
                    }
                    return answers
                }
            }
        }
    }

    /// "hello" as gzip (one stored deflate block), for an upstream that applies it as a transfer coding.
    static let gzippedHello: [UInt8] = [
        0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x01, 0x05, 0x00, 0xFA, 0xFF,
        0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x86, 0xA6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00,
    ]

    /// A transfer coding is hop-by-hop (RFC 9112 §7): the one an upstream applies besides `chunked` is
    /// undone before the body is passed on (libcurl decodes gzip there), so the client reads the body
    /// itself, chunked, with no coding named, on a connection that stays in step. A coding libcurl
    /// cannot undo is a 502.
    @Test(arguments: ["gzip", "compress"])
    func anAnswerInAnotherTransferCodingReachesTheClientDecodedOrIsA502(coding: String) async throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: \(coding), chunked\r\n\r\n1c\r\n"
        let answers = try await Self.twoAnswers(to: [Array(head.utf8) + Self.gzippedHello + Array("\r\n0\r\n\r\n".utf8)])
        for (head, body) in answers {
            #expect(!head.lowercased().contains(coding), "\(head)")
            if coding == "gzip" {
                #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
                #expect(head.lowercased().contains("\r\ntransfer-encoding: chunked\r\n"), "\(head)")
                #expect(body == "hello")
            } else {
                #expect(head.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"), "\(head)")
                #expect(body == #"{"error":"bad_gateway","message":"The upstream service could not be reached."}"#)
            }
        }
    }

    /// A body means nothing to HEAD (RFC 9110 §9.3.2): the upstream gets a bare HEAD, and the exchange
    /// ends with the answer's head, well within the route's timeout.
    @Test func aHeadWithABodyEndsWithItsHeadAndLeavesTheConnectionInStep() async throws {
        let probe = EchoProbe()
        let routes: @Sendable (Int) -> [[String: Any]] = { [Self.open("http://127.0.0.1:\($0)", extra: ["timeoutSeconds": 60])] }
        try await ReverseProxyTests.withProxy(routes: routes, probe: probe) { client, _ in
            try await RawConnection.with(port: try #require(client.client.port)) { connection in
                let start = ContinuousClock.now
                try await connection.write("HEAD /open/echo/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
                let head = try await connection.readHead()
                // The echo answers HEAD with its GET's head: 200, JSON, the length of the body it leaves out.
                #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
                #expect(head.contains("\r\nContent-Type: application/json\r\n"), "\(head)")
                #expect(head.contains("\r\nContent-Length: "), "\(head)")
                // The next request on the connection gets its own answer at once.
                try await connection.write("GET /open/echo/y HTTP/1.1\r\nHost: localhost\r\n\r\n")
                let next = try await connection.readHead()
                #expect(next.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(next)")
                let body = try await connection.readBody(framedBy: next) ?? ""
                #expect(JSONValue.parse(Array(body.utf8))?["path"] == .string("/echo/y"))
                // A third of the route's timeout: an exchange that waited for it fails, a busy machine does not.
                #expect(ContinuousClock.now - start < .seconds(20), "the route's timeout is 60 s")
            }
        }
        #expect(probe.requests == 2)
    }
}
