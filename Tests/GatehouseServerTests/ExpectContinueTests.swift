import Foundation
import GatehouseCore
import HummingbirdTesting
import Testing

/// `Expect: 100-continue` on the wire: the 100 comes when Gatehouse wants the body, and only then.
@Suite struct ExpectContinueTests {
    static let routes: @Sendable (Int) -> [[String: Any]] = { port in [
        ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
        ProxyConfiguration.app("http://127.0.0.1:\(port)"),
    ] }

    @Test func aProxiedUploadGets100ContinueAndThenItsAnswer() async throws {
        try await ReverseProxyTests.withProxy(routes: Self.routes) { client, _ in
            try await RawConnection.with(port: try #require(client.client.port)) { connection in
                try await connection.write("PUT /open/echo/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                #expect(try await connection.readHead() == "HTTP/1.1 100 Continue\r\n\r\n")
                try await connection.write("hello")
                let answer = try await Self.readAnswer(connection)
                #expect(answer.head.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(answer.json?["bodyBytes"] == .int(5))
                let forwarded = ReverseProxyTests.values("Expect", in: ReverseProxyTests.received(Reply(status: 200, headers: [], body: Array(answer.body.utf8))))
                #expect(forwarded.isEmpty)
            }
        }
    }

    @Test func aRefusedUploadIsAnsweredWithoutAskingForTheBody() async throws {
        let probe = EchoProbe()
        try await ReverseProxyTests.withProxy(routes: Self.routes, probe: probe) { client, _ in
            try await RawConnection.with(port: try #require(client.client.port)) { connection in
                try await connection.write("PUT /app/echo/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let answer = try await Self.readAnswer(connection)
                #expect(answer.head.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"), "\(answer.head)")
                #expect(answer.body == ReverseProxyTests.unauthorizedBody)
            }
        }
        #expect(probe.requests == 0)
    }

    @Test func aSignInThatExpects100GetsItAndSignsIn() async throws {
        try await withLiveGateway { client in
            try await RawConnection.with(port: try #require(client.client.port)) { connection in
                let body = #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#
                try await connection.write(
                    "POST /api/Account/SignIn HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
                #expect(try await connection.readHead() == "HTTP/1.1 100 Continue\r\n\r\n")
                try await connection.write(body)
                let answer = try await Self.readAnswer(connection)
                #expect(answer.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer.head)")
                #expect(answer.json?["access_token"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func withoutExpectNo100IsSent() async throws {
        try await ReverseProxyTests.withProxy(routes: Self.routes) { client, _ in
            try await RawConnection.with(port: try #require(client.client.port)) { connection in
                try await connection.write("PUT /open/echo/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
                let answer = try await Self.readAnswer(connection)
                #expect(answer.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer.head)")
                #expect(answer.json?["bodyBytes"] == .int(5))
            }
        }
    }

    /// One final answer with a `Content-Length` body: its head and its body.
    static func readAnswer(_ connection: RawConnection) async throws -> (head: String, body: String, json: JSONValue?) {
        let head = try await connection.readHead()
        let body = try await connection.readBody(framedBy: head) ?? ""
        return (head, body, JSONValue.parse(Array(body.utf8)))
    }
}
