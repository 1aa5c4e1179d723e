import GatehouseCore
import GatehouseTesting
import HummingbirdTesting
import Testing

/// What a client sends that the proxy must refuse before the upstream sees a byte of it (RFC 9112 §3.2,
/// §6.3): an upstream that framed the body another way than Gatehouse would read a second request in it.
@Suite struct ProxyRequestFramingTests {
    static let badFramingAnswer =
        #"{"error":"bad_request","message":"The request body is framed by Content-Length or chunked transfer coding alone."}"#

    /// Sends `request` on a raw connection to a live Gatehouse whose public route `/open` leads to a raw
    /// upstream; returns the answer's head and body, and how many connections the upstream accepted.
    static func send(_ request: String) async throws -> (head: String, body: String?, upstreamConnections: Int) {
        try await RawUpstream.run(answering: ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]) { upstream in
            let config = try ProxyConfiguration.make(routes: [ProxyFramingTests.open("http://127.0.0.1:\(upstream.port)")])
            return try await withLiveGateway(config) { client in
                let (head, body) = try await RawConnection.with(port: try #require(client.client.port)) { connection in
                    try await connection.write(request)
                    let head = try await connection.readHead()
                    return (head, try await connection.readBody(framedBy: head))
                }
                return (head, body, upstream.connections)
            }
        }
    }

    @Test(arguments: [
        "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "Transfer-Encoding: gzip\r\n\r\nhello",
        "Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
    ])
    func aBodyFramedAnythingButPlainlyIsA400BeforeTheUpstreamSeesIt(framing: String) async throws {
        let (head, body, upstreamConnections) = try await Self.send("POST /open/x HTTP/1.1\r\nHost: localhost\r\n" + framing)
        #expect(head.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(head)")
        #expect(head.lowercased().contains("\r\nconnection: close\r\n"), "\(head)")
        if head.lowercased().contains("application/json") {
            #expect(body == Self.badFramingAnswer)
        }
        #expect(upstreamConnections == 0)
    }

    @Test func anHTTP11RequestWithoutHostIsA400() async throws {
        let (head, body, upstreamConnections) = try await Self.send("GET /open/x HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(head)")
        #expect(body == #"{"error":"bad_request","message":"An HTTP/1.1 request carries a Host."}"#)
        #expect(upstreamConnections == 0)
    }

    /// HTTP/1.0 has no Host requirement: such a request is proxied.
    @Test func anHTTP10RequestWithoutHostIsProxied() async throws {
        let (head, body, upstreamConnections) = try await Self.send("GET /open/x HTTP/1.0\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(head)")
        #expect(body == "ok")
        #expect(upstreamConnections == 1)
    }
}

/// A bearer Gatehouse issued or accepts is never passed upstream once it is revoked, of whatever kind:
/// an upstream that checks it by its own means would take it as live.
@Suite struct RevokedBearerTests {
    enum Kind: String, CaseIterable, Sendable {
        case partnerJWT, baasSessionToken, serviceStackSessionID

        func token(_ client: GatewayClient) async throws -> String {
            switch self {
            case .partnerJWT: try await SSOSignInTests.partnerToken(userID: 1)
            case .baasSessionToken: try await OneIdentityManyDoorsTests.signIn(.baasSessionToken, client)
            case .serviceStackSessionID: try await OneIdentityManyDoorsTests.signIn(.serviceStackSessionID, client)
            }
        }
    }

    @Test(arguments: Kind.allCases)
    func aRevokedBearerIsNotForwarded(kind: Kind) async throws {
        let routes: @Sendable (Int) -> [[String: Any]] = {
            [ProxyFramingTests.open("http://127.0.0.1:\($0)"), ProxyConfiguration.app("http://127.0.0.1:\($0)")]
        }
        try await ReverseProxyTests.withProxy(routes: routes) { client, _ in
            let token = try await kind.token(client)
            let bearer = [("Authorization", "Bearer \(token)")]
            // Live: it opens the authenticated route, and is not passed on there or on the public one.
            let live = try await client.get("/app/echo/x", headers: bearer)
            #expect(live.status == 200, "\(kind): \(live.text)")
            #expect(ReverseProxyTests.values("Authorization", in: ReverseProxyTests.received(live)).isEmpty)
            // ServiceStack's logout revokes the grant behind any bearer it is shown.
            #expect(try await client.send("POST", "/auth/logout", headers: bearer).status == 200)
            let refused = try await client.get("/app/echo/x", headers: bearer)
            #expect(refused.status == 401, "\(kind): \(refused.text)")
            let open = try await client.get("/open/echo/x", headers: bearer)
            #expect(open.status == 200)
            #expect(ReverseProxyTests.values("Authorization", in: ReverseProxyTests.received(open)).isEmpty, "\(kind)")
            // A bearer that is not Gatehouse's is the upstream's business, and reaches it.
            let foreign = try await client.get("/open/echo/x", headers: [("Authorization", "Bearer the-upstreams-own")])
            #expect(ReverseProxyTests.values("Authorization", in: ReverseProxyTests.received(foreign)) == ["Bearer the-upstreams-own"])
        }
    }
}
