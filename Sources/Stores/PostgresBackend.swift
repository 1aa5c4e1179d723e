import Foundation
import Logging
import PostgresNIO

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

    /// In one transaction, holding an advisory lock that every migrating replica takes.
    func migrating(_ body: @escaping @Sendable (any SQLBackend) async throws -> Void) async throws {
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

    /// `body`, or `StoreError.timedOut` once `timeout` has passed.
    private func bounded<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask(operation: body)
            group.addTask {
                try await Task.sleep(for: timeout)
                throw StoreError.timedOut
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw StoreError.timedOut }
            return first
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

    func migrating(_ body: @escaping @Sendable (any SQLBackend) async throws -> Void) async throws {
        try await body(self)
    }
}
