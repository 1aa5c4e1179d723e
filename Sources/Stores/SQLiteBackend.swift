import Foundation
import Logging
import NIOPosix
import SQLiteNIO
import Synchronization

/// The embedded store's database: one SQLite file, one connection, on a thread of its own.
///
/// SQLite calls block, so they run on a private one-thread pool: never on an event loop, and never
/// queued behind password hashing on NIO's shared blocking pool.
final class SQLiteBackend: SQLBackend {
    let flavor = SQLFlavor.sqlite
    private let connection: SQLiteConnection
    private let threads: NIOThreadPool
    private let closed = Mutex(false)

    private init(connection: SQLiteConnection, threads: NIOThreadPool) {
        self.connection = connection
        self.threads = threads
    }

    /// Opens (creating) the file at `path` and its directory, in WAL mode with full fsync: a revocation
    /// that was answered survives a crash and a power cut.
    static func open(path: String, logger: Logger) async throws -> SQLiteBackend {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.unusable(reason: "cannot create the directory \(directory)")
            }
        }
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        do {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threads, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
            let backend = SQLiteBackend(connection: connection, threads: threads)
            try await backend.run("PRAGMA journal_mode = WAL", [])
            try await backend.run("PRAGMA synchronous = FULL", [])
            return backend
        } catch let error as StoreError {
            try? await threads.shutdownGracefully()
            throw error
        } catch {
            try? await threads.shutdownGracefully()
            throw StoreError.unusable(reason: "cannot open \(path): \(error)")
        }
    }

    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
        let rows = try await connection.query(Self.numberedParameters(sql), binds.map(Self.sqlite))
        return rows.map { row in row.columns.map { Self.value($0.data) } }
    }

    /// One process owns the file; an immediate transaction keeps a second one out all the same.
    func exclusively(_ body: @escaping @Sendable (any SQLBackend) async throws -> Void) async throws {
        try await run("BEGIN IMMEDIATE", [])
        do {
            try await body(self)
            try await run("COMMIT", [])
        } catch {
            _ = try? await run("ROLLBACK", [])
            throw error
        }
    }

    func close() async {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        try? await connection.close()
        try? await threads.shutdownGracefully()
    }

    /// A backend dropped unclosed (a store a test let go) still closes its file and stops its thread.
    deinit {
        guard !closed.withLock({ $0 }) else { return }
        let threads = self.threads
        connection.close().whenComplete { _ in threads.shutdownGracefully { _ in } }
    }

    /// `$n` as SQLite's `?n`. SQLite reads `$1` as a *named* parameter and numbers those by first
    /// appearance, which would bind `VALUES ($1, $3, $2)` wrongly; `?n` is parameter n, as in PostgreSQL.
    static func numberedParameters(_ sql: String) -> String {
        var converted = ""
        converted.reserveCapacity(sql.utf8.count)
        var previous: Character = " "
        for character in sql {
            if previous == "$", character.isASCII, character.isNumber { converted.removeLast(); converted.append("?") }
            converted.append(character)
            previous = character
        }
        return converted
    }

    private static func sqlite(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .text(let text): .text(text)
        case .real(let real): .float(real)
        case .integer(let integer): .integer(integer)
        case .null: .null
        }
    }

    private static func value(_ data: SQLiteData) -> SQLValue {
        switch data {
        case .text(let text): .text(text)
        case .float(let real): .real(real)
        case .integer(let integer): .integer(Int(integer))
        case .blob, .null: .null
        }
    }
}
