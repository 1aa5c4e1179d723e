import Hummingbird

/// Runs a Hummingbird router on 127.0.0.1 on a free port for the length of a test: the harness every
/// test server (a fake legacy upstream, an echo server) shares.
public enum LoopbackServer {
    /// Calls `body` with the port the router listens on, then stops the server.
    public static func run<Context: RequestContext, T: Sendable>(
        _ router: Router<Context>, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T where Context.Source == ApplicationRequestContextSource {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let result = try await body(port)
            group.cancelAll()
            return result
        }
    }
}
