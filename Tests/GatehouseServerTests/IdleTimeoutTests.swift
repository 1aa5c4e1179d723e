import GatehouseCore
import GatehouseTesting
import HummingbirdTesting
import Testing

/// `server.idleTimeoutSeconds`: a connection that sends nothing is closed, in the middle of a request too.
/// (2 s, not 1: on a loaded machine a second can pass between connecting and the first write.)
@Suite struct IdleTimeoutTests {
    @Test func aStalledRequestAndAnIdleKeepAliveConnectionAreClosed() async throws {
        var config = try TestConfiguration.make()
        config.server.idleTimeoutSeconds = 2
        try await withLiveGateway(config) { client in
            let port = try #require(client.client.port)
            // Slow headers: the head never ends.
            let stalled = try await RawConnection.with(port: port) { connection in
                try await connection.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n")
                return try await connection.closedByPeer(within: 10)
            }
            #expect(stalled)
            // Keep-alive after a whole exchange, then nothing.
            let idle = try await RawConnection.with(port: port) { connection in
                try await connection.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                let answer = try await ExpectContinueTests.readAnswer(connection)
                #expect(answer.head.hasPrefix("HTTP/1.1 200 OK\r\n"))
                #expect(try await !connection.closedByPeer(within: 0.3), "closed at once rather than after being idle")
                return try await connection.closedByPeer(within: 10)
            }
            #expect(idle)
        }
    }
}
