import Foundation
import GatehouseCore
import HummingbirdTesting
import Testing

@testable import GatehouseServer

/// A connection remembers who its last request was (`ReverseProxy.knownCaller(_:remembered:)`): the
/// memo never outlives what it remembers. On one kept-alive connection: a revocation closes the route at
/// the next request, and a request presenting other artifacts, or none, is judged on its own.
@Suite struct RememberedCallerTests {
    static func get(_ path: String, _ headers: [String], on connection: RawConnection) async throws -> (head: String, body: String) {
        let fields = headers.map { $0 + "\r\n" }.joined()
        try await connection.write("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(fields)\r\n")
        let answer = try await ExpectContinueTests.readAnswer(connection)
        return (answer.head, answer.body)
    }

    @Test func aConnectionsRememberedCallerEndsWithRevocationAndOtherArtifacts() async throws {
        let routes: @Sendable (Int) -> [[String: Any]] = { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }
        try await ReverseProxyTests.withProxy(routes: routes) { client, _ in
            let admin = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let port = try #require(try client.client.port)
            try await RawConnection.with(port: port) { connection in
                let bearer = "Authorization: Bearer \(admin)"
                for _ in 0..<3 {
                    let live = try await Self.get("/app/echo/x", [bearer], on: connection)
                    #expect(live.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(live.head)")
                }
                // The same connection, no artifact now: nobody is signed in.
                let none = try await Self.get("/app/echo/x", [], on: connection)
                #expect(none.head.hasPrefix("HTTP/1.1 401 "), "\(none.head)")
                // A forged token in the same place: judged on its own.
                let forged = try await Self.get("/app/echo/x", ["Authorization: Bearer \(admin.dropLast(4))AAAA"], on: connection)
                #expect(forged.head.hasPrefix("HTTP/1.1 401 "), "\(forged.head)")
                let again = try await Self.get("/app/echo/x", [bearer], on: connection)
                #expect(again.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(again.head)")
                // Signed out on another connection: this one's next request with the token is refused.
                #expect(try await client.send("POST", "/auth/logout", headers: [("Authorization", "Bearer \(admin)")]).status == 200)
                let revoked = try await Self.get("/app/echo/x", [bearer], on: connection)
                #expect(revoked.head.hasPrefix("HTTP/1.1 401 "), "\(revoked.head)")
            }
        }
    }
}

/// A connection also remembers where its last request went and what its headers were rewritten to
/// (`ProxyChannelHandler.proxiedRoute`, `ReverseProxy.upstreamHeaders(_:route:caller:assertion:remembered:)`):
/// each request on it is still routed, judged and rewritten by its own method, path, Host, headers and caller.
@Suite struct RememberedRewriteTests {
    typealias R = RememberedCallerTests

    /// The headers the echo upstream received, from a raw answer's JSON body.
    static func received(_ body: String) throws -> [(String, String)] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let pairs = try #require(object["headers"] as? [[String]])
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    static func values(_ name: String, _ headers: [(String, String)]) -> [String] {
        ReverseProxyTests.values(name, in: headers)
    }

    @Test func eachRequestOnAConnectionIsRoutedAndRewrittenByItsOwnHeaders() async throws {
        let routes: @Sendable (Int) -> [[String: Any]] = { port in
            [
                ProxyConfiguration.app("http://127.0.0.1:\(port)"),
                ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
            ]
        }
        try await ReverseProxyTests.withProxy(routes: routes) { client, _ in
            let admin = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let editorReply = try await client.post(
                "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"editor-pass"}"#)
            let editor = try #require(editorReply.json?["access_token"]?.stringValue)
            let port = try #require(try client.client.port)
            try await RawConnection.with(port: port) { connection in
                // The same headers but one value, twice over: the upstream sees each request's own.
                for (custom, id) in [("one", "req-a"), ("two", "req-b"), ("one", "req-c")] {
                    let reply = try await R.get("/app/echo/x", ["Authorization: Bearer \(admin)", "X-Custom: \(custom)", "X-Request-Id: \(id)"], on: connection)
                    #expect(reply.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(reply.head)")
                    let seen = try Self.received(reply.body)
                    #expect(Self.values("X-Custom", seen) == [custom])
                    #expect(Self.values("X-Request-Id", seen) == [id])
                    #expect(Self.values("X-Auth-User", seen) == ["Admin"])
                }
                // Canonically equivalent values in other bytes are other values: passed on as sent.
                for custom in ["caf\u{E9}", "cafe\u{301}"] {
                    let reply = try await R.get("/app/echo/x", ["Authorization: Bearer \(admin)", "X-Custom: \(custom)"], on: connection)
                    let seen = try Self.received(reply.body)
                    #expect(Self.values("X-Custom", seen).map { Array($0.utf8) } == [Array(custom.utf8)])
                }
                // Another caller on the same connection, the headers otherwise alike: its own identity.
                let asEditor = try await R.get("/app/echo/x", ["Authorization: Bearer \(editor)", "X-Custom: one"], on: connection)
                let seen = try Self.received(asEditor.body)
                #expect(Self.values("X-Auth-User", seen) == ["editor"])
                #expect(Self.values("X-Auth-Roles", seen) == ["editor"])
                // Another route, then no route, then the first again, without an artifact: each by its own policy.
                let open = try await R.get("/open/echo/y", [], on: connection)
                #expect(open.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(open.head)")
                #expect(try JSONSerialization.jsonObject(with: Data(open.body.utf8)) as? [String: Any] != nil)
                #expect(try Self.received(open.body).allSatisfy { $0.0.lowercased() != "x-auth-user" })
                let closed = try await R.get("/app/echo/y", [], on: connection)
                #expect(closed.head.hasPrefix("HTTP/1.1 401 "), "\(closed.head)")
                let dialect = try await R.get("/auth", [], on: connection)
                #expect(dialect.head.hasPrefix("HTTP/1.1 401 "), "\(dialect.head)")
                #expect(dialect.body.contains("ResponseStatus"), "\(dialect.body)")
                let openAgain = try await R.get("/open/echo/y?q=1", [], on: connection)
                #expect(openAgain.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(openAgain.head)")
                let echoed = try #require(try JSONSerialization.jsonObject(with: Data(openAgain.body.utf8)) as? [String: Any])
                #expect(echoed["path"] as? String == "/echo/y")
                #expect(echoed["query"] as? String == "q=1")
            }
        }
    }
}
