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
