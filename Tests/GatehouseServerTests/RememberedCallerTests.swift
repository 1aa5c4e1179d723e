import Foundation
import GatehouseCore
import GatehouseTesting
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

    /// A Web API JWT for `editor` (role `editor`), the other identity these tests switch to.
    static func editorToken(_ client: GatewayClient) async throws -> String {
        let reply = try await client.post(
            "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"editor-pass"}"#)
        return try #require(reply.json?["access_token"]?.stringValue)
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
            let editor = try await RememberedCallerTests.editorToken(client)
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
                    // The answers differ in length by a byte: each announces its own.
                    #expect(RememberedDecisionTests.field("Content-Length", in: reply.head) == [String(reply.body.utf8.count)])
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

/// A connection remembers its last forward-auth check let through (`ReverseProxy.forwardAuthAnswer(…remembered:)`):
/// each check on it is still decided by its own original request, caller and revocations.
@Suite struct RememberedDecisionTests {
    static func check(_ uri: String, bearer: String?, on connection: RawConnection) async throws -> String {
        let fields = ["X-Original-Method: GET", "X-Original-URI: \(uri)"] + (bearer.map { ["Authorization: Bearer \($0)"] } ?? [])
        return try await RememberedCallerTests.get("/authz/auth-request", fields, on: connection).head
    }

    static func field(_ name: String, in head: String) -> [String] {
        head.split(separator: "\r\n").compactMap { line in
            line.lowercased().hasPrefix(name.lowercased() + ":") ? String(line.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) : nil
        }
    }

    @Test func eachCheckOnAConnectionIsDecidedByItsOwnRequest() async throws {
        try await ForwardAuthFixture.withGatehouse { client, _ in
            let admin = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let editor = try await RememberedCallerTests.editorToken(client)
            let port = try #require(try client.client.port)
            try await RawConnection.with(port: port) { connection in
                var ids: Set<String> = []
                for _ in 0..<3 {
                    let head = try await Self.check("/echo/x", bearer: admin, on: connection)
                    #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
                    #expect(Self.field("X-Auth-User", in: head) == ["Admin"])
                    #expect(Self.field("X-Auth-Roles", in: head) == ["admin"])
                    ids.formUnion(Self.field("X-Request-Id", in: head))
                }
                #expect(ids.count == 3, "each answer has its own request id: \(ids)")
                // Another caller, the same original request: its own identity.
                let asEditor = try await Self.check("/echo/x", bearer: editor, on: connection)
                #expect(asEditor.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(asEditor)")
                #expect(Self.field("X-Auth-User", in: asEditor) == ["editor"])
                // The same caller, another original request: that route's policy.
                let forbidden = try await Self.check("/echo/admin/x", bearer: editor, on: connection)
                #expect(forbidden.hasPrefix("HTTP/1.1 403 "), "\(forbidden)")
                let adminOnly = try await Self.check("/echo/admin/x", bearer: admin, on: connection)
                #expect(adminOnly.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(adminOnly)")
                let nobody = try await Self.check("/echo/x", bearer: nil, on: connection)
                #expect(nobody.hasPrefix("HTTP/1.1 401 "), "\(nobody)")
                let open = try await Self.check("/echo/open/x", bearer: nil, on: connection)
                #expect(open.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(open)")
                #expect(Self.field("X-Auth-User", in: open) == [""])
                let again = try await Self.check("/echo/x", bearer: admin, on: connection)
                #expect(Self.field("X-Auth-User", in: again) == ["Admin"])
                // Signed out on another connection: the very same check is refused next time.
                #expect(try await client.send("POST", "/auth/logout", headers: [("Authorization", "Bearer \(admin)")]).status == 200)
                let revoked = try await Self.check("/echo/x", bearer: admin, on: connection)
                #expect(revoked.hasPrefix("HTTP/1.1 401 "), "\(revoked)")
            }
        }
    }
}
