import GatehouseCore
import Hummingbird
import Synchronization

/// What every fake legacy system shares: who asked it how often, over how many connections, and which of
/// the sessions it issued are still live. The user table is `FakeUser.all`.
public final class FakeLegacy: Sendable {
    private let requests = Mutex(0)
    private let ports = Mutex<Set<Int>>([])
    /// Every live token (cookie value, bearer, session id) → the user and all tokens of its session, so
    /// signing out with any one of them ends the whole session.
    private let sessions = Mutex<[String: (user: FakeUser, tokens: [String])]>([:])

    /// A fresh system: no requests seen, no sessions.
    public init() {}

    /// Requests received so far, on any path (a 404 counts too).
    public var requestCount: Int { requests.withLock { $0 } }
    /// Distinct client TCP source ports seen so far: the connections opened to this system.
    public var connectionCount: Int { ports.withLock { $0.count } }

    /// The user `login` names when `password` is theirs; `nil` for an unknown user or a wrong password.
    public func check(login: String, password: String) -> FakeUser? {
        guard let user = FakeUser.named(login), user.password == password else { return nil }
        return user
    }

    /// Remembers a new session of `user`, known by each of `tokens`.
    public func openSession(for user: FakeUser, tokens: [String]) {
        sessions.withLock { table in
            for token in tokens { table[token] = (user, tokens) }
        }
    }

    /// The live session `token` belongs to.
    public func session(_ token: String) -> FakeSession? {
        sessions.withLock { table in table[token].map { FakeSession(user: $0.user, tokens: $0.tokens) } }
    }

    /// Every live session, each once (by its first token), oldest token order not kept.
    public var openSessions: [FakeSession] {
        sessions.withLock { table in
            var seen: Set<String> = []
            return table.values.compactMap { entry in
                guard let first = entry.tokens.first, seen.insert(first).inserted else { return nil }
                return FakeSession(user: entry.user, tokens: entry.tokens)
            }
        }
    }

    /// Whether `token` still names a live session.
    public func isLive(_ token: String) -> Bool { session(token) != nil }

    /// Ends the session `token` belongs to (all of its tokens); `false` when it was not live.
    @discardableResult public func closeSession(_ token: String) -> Bool {
        sessions.withLock { table in
            guard let session = table[token] else { return false }
            for each in session.tokens { table[each] = nil }
            return true
        }
    }

    /// A router whose every request, routed or not, is counted with its connection first.
    func router(options: RouterOptions = []) -> Router<PeerContext> {
        let router = Router(context: PeerContext.self, options: options)
        router.add(middleware: Recorder(legacy: self))
        return router
    }

    fileprivate func record(peerPort: Int) {
        requests.withLock { $0 += 1 }
        ports.withLock { _ = $0.insert(peerPort) }
    }

    /// Counts a request before any route sees it.
    private struct Recorder: RouterMiddleware {
        let legacy: FakeLegacy

        func handle(_ request: Request, context: PeerContext, next: (Request, PeerContext) async throws -> Response) async throws -> Response {
            legacy.record(peerPort: context.peerPort)
            return try await next(request, context)
        }
    }
}

extension FakeLegacy {
    /// A new fake of the legacy system that speaks `dialect`.
    public static func system(for dialect: DialectID) -> any FakeLegacySystem {
        switch dialect {
        case .aspnet: FakeAspNetLegacy()
        case .sso: FakeSSOLegacy()
        case .webapi: FakeWebAPILegacy()
        case .baas: FakeBaaSLegacy()
        case .servicestack: FakeServiceStackLegacy()
        }
    }
}

/// A live session of a fake legacy system.
public struct FakeSession: Sendable, Equatable {
    /// Whose session it is.
    public let user: FakeUser
    /// Every token the session is known by, in the order the system issued them.
    public let tokens: [String]
}
