import Hummingbird
import ServiceLifecycle

/// Runs a Hummingbird router on 127.0.0.1 on a free port for the length of a test: the harness every
/// test server (a fake legacy upstream, an echo server) shares.
public enum LoopbackServer {
    /// Calls `body` with the port the router listens on, then stops the server.
    ///
    /// The server is stopped by a graceful shutdown, never by cancelling its task: a connection the
    /// listener has accepted but not yet handed to the accept loop is dropped on cancellation, and its
    /// writer traps ("Deinited NIOAsyncWriter without calling finish()", swift-nio #2637/#3481). Under
    /// load such a connection is often waiting when a test ends, and the trap takes down every test.
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
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: app.logger)
        // A handler that never ends (a test that failed to stop a transfer) is cancelled after this,
        // long after the accept loop has drained: the test ends 30 s late instead of hanging.
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        let services = ServiceGroup(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                let result = try await body(port)
                await services.triggerGracefulShutdown()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }
}
