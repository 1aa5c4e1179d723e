import Hummingbird

/// One legacy system played for a test as a real HTTP server on 127.0.0.1, answering as its seed document
/// shows (never through Gatehouse's own dialect encoders: the fake is an independent reading of the document).
///
/// ```swift
/// let fake = FakeServiceStackLegacy()
/// try await fake.run { port in
///     let config = try TestConfiguration.front(upstream: .servicestack, url: fake.signInURL(port: port))
///     …
///     #expect(fake.legacy.requestCount == 1)
/// }
/// ```
public protocol FakeLegacySystem: Sendable {
    /// Counters and live sessions.
    var legacy: FakeLegacy { get }
    /// The sign-in path a Gatehouse upstream authenticator is configured with (`{route}` for ASP.NET).
    var signInPath: String { get }
    /// The system's routes.
    func router() -> Router<PeerContext>
}

extension FakeLegacySystem {
    /// Calls `body` with the port the system listens on, then stops it.
    public func run<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        try await LoopbackServer.run(router(), body)
    }

    /// The sign-in URL of the system listening on `port`.
    public func signInURL(port: Int) -> String { "http://127.0.0.1:\(port)\(signInPath)" }
}
