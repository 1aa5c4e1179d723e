import GatehouseCore
import GatehouseTesting
import HummingbirdTesting
import Testing

/// `server.idleTimeoutSeconds`: a connection that sends nothing is closed, in the middle of a request too.
/// The requests are written on connecting, from the event loop (`opening:`): written from the test's task,
/// they came more than 2 s after the connect under load, and met a connection already closed as idle.
/// The keep-alive case is timed from before its request, never from when this side got round to reading the
/// answer: the latter shrinks under load, and a fixed "still open 0.3 s later" fails once it is 1.7 s late.
@Suite struct IdleTimeoutTests {
    @Test func aStalledRequestAndAnIdleKeepAliveConnectionAreClosed() async throws {
        var config = try TestConfiguration.make()
        config.server.idleTimeoutSeconds = 2
        try await withLiveGateway(config) { client in
            let port = try #require(client.client.port)
            // Slow headers: the head never ends.
            let stalled = try await RawConnection.with(port: port, opening: "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n") {
                try await $0.closedByPeer(within: 30)
            }
            #expect(stalled)
            // Keep-alive after a whole exchange, then nothing.
            // Timed from before the connection: Gatehouse cannot have read the request earlier, so a close
            // that waits for the idle timeout comes at least 2 s later however slow this side is.
            let start = ContinuousClock.now
            let (idle, lasted) = try await RawConnection.with(port: port, opening: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n") { connection in
                let answer = try await ExpectContinueTests.readAnswer(connection)
                #expect(answer.head.hasPrefix("HTTP/1.1 200 OK\r\n"))
                let closed = try await connection.closedByPeer(within: 30)
                return (closed, ContinuousClock.now - start)
            }
            #expect(idle)
            #expect(lasted >= .seconds(2), "closed after \(lasted), before being idle for 2 s")
        }
    }
}
