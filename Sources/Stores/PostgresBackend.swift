import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The shared store's database: a `PostgresClient` pool whose every call is bounded by
/// `store.timeoutSeconds`, so a database that is down or unreachable costs a request a 503, not a hang.
final class PostgresBackend: SQLBackend {
    let flavor = SQLFlavor.postgres
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let timeout: Duration

    /// Starts the pool: connections are made on first use and again, by themselves, after an outage.
    init(url: String, timeout: Duration, logger: Logger) throws(StoreError) {
        var configuration = try PostgresURL.configuration(url)
        configuration.options.connectTimeout = timeout
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.runner = Task { await client.run() }
        self.timeout = timeout
    }

    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        let query = try Self.query(sql, binds)
        return try await bounded(timeout) { [client] in try await Self.collect(client.query(query)) }
    }

    /// In one transaction, holding an advisory lock that every replica migrating or rotating keys takes.
    func exclusively(_ body: @escaping @Sendable (any SQLBackend) async throws -> Void) async throws {
        // Migrating waits its turn behind other replicas: several times one call's bound.
        do {
            try await bounded(timeout * 5) { [client] in
                try await client.withTransaction(logger: Logger(label: "gatehouse.store")) { connection in
                    let locked = TransactionBackend(connection: connection)
                    try await locked.run("SELECT pg_advisory_xact_lock(7347383617)", [])
                    try await body(locked)
                }
            }
        } catch let error as PostgresTransactionError {
            // What the migration itself refused (a newer schema) is the error, not the transaction around it.
            if let refusal = error.closureError as? StoreError { throw refusal }
            throw error
        }
    }

    func close() {
        runner.cancel()
    }

    /// `body`, or `StoreError.timedOut` once `timeout` has passed — without waiting for `body` to notice:
    /// a call queued for a connection to a database that is down does not end when cancelled, and a
    /// request must not wait for it. `body` is cancelled and left to end by itself.
    private func bounded<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = FirstOutcome(continuation)
            let work = Task {
                do { outcome.resume(with: .success(try await body())) } catch { outcome.resume(with: .failure(error)) }
            }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(Int64(timeout.nanoseconds))) {
                outcome.resume(with: .failure(StoreError.timedOut))
                work.cancel()
            }
            outcome.onResume { timer.cancel() }
        }
    }

    static func query(_ sql: String, _ binds: [SQLValue]) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .text(let text): bindings.append(text)
            case .real(let real): bindings.append(real)
            case .integer(let integer): bindings.append(integer)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [[SQLValue]] {
        var collected: [[SQLValue]] = []
        for try await row in rows {
            collected.append(try row.map(value))
        }
        return collected
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .text, .varchar: return .text(try cell.decode(String.self))
        case .float8, .float4, .numeric: return .real(try cell.decode(Double.self))
        case .int2, .int4, .int8: return .integer(try cell.decode(Int.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        // pg_advisory_xact_lock answers void.
        default: return .null
        }
    }
}

/// The statements of one migration, on the connection that holds its transaction.
private struct TransactionBackend: SQLBackend {
    let flavor = SQLFlavor.postgres
    let connection: PostgresConnection

    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        try await PostgresBackend.collect(connection.query(PostgresBackend.query(sql, binds), logger: Logger(label: "gatehouse.store")))
    }

    func exclusively(_ body: @escaping @Sendable (any SQLBackend) async throws -> Void) async throws {
        try await body(self)
    }
}

/// Resumes a continuation with whichever outcome comes first; later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var onResume: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        state = Mutex(State(continuation: continuation))
    }

    func resume(with result: Result<T, any Error>) {
        let (continuation, onResume) = state.withLock { state in
            defer { state.continuation = nil; state.onResume = nil }
            return (state.continuation, state.onResume)
        }
        continuation?.resume(with: result)
        if continuation != nil { onResume?() }
    }

    /// Runs `action` once resumed (at once when already resumed).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let resumed = state.withLock { state in
            if state.continuation == nil { return true }
            state.onResume = action
            return false
        }
        if resumed { action() }
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
