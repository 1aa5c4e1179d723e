import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server the test command (`scripts/test`) starts for the store tests: a private cluster
/// on a loopback port, named by `GATEHOUSE_TEST_POSTGRES_PORT`. Each test gets a database of its own.
///
/// Without that variable the tests that need PostgreSQL fail, saying so: they are never skipped.
public enum TestPostgres {
    /// Why a PostgreSQL test cannot run.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The cluster's port.
    public static func port() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["GATEHOUSE_TEST_POSTGRES_PORT"], let port = Int(text) else {
            throw Unavailable(description: "GATEHOUSE_TEST_POSTGRES_PORT is not set: run the suite with scripts/test, which starts PostgreSQL")
        }
        return port
    }

    /// A new, empty database on the test cluster; its `store.url`.
    public static func newDatabase() throws -> String {
        let port = try port()
        let name = "gh_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try createDatabase(name, port: port)
        return url(database: name, port: port)
    }

    /// The `store.url` of `database` on the cluster at `port`.
    public static func url(database: String, port: Int) -> String {
        "postgres://gatehouse@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs `createdb` against the cluster at `port`.
    public static func createDatabase(_ name: String, port: Int) throws {
        try run(binary("createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "gatehouse", name])
    }

    /// The directory of PostgreSQL's server binaries (`scripts/postgres-cluster bin`).
    static func binary(_ name: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else {
            throw Unavailable(description: "no PostgreSQL server is installed (scripts/test installs it)")
        }
        return "/usr/lib/postgresql/\(newest)/bin/\(name)"
    }

    /// Runs a command to its end; throws when it fails, with its output.
    ///
    /// `ChildProcess.spawn` and waitpid: `pg_ctl start` leaves a daemon behind, and `Process.waitUntilExit`
    /// was seen never to return for the script that started it (the script a zombie, never reaped).
    static func run(_ executable: String, _ arguments: [String]) throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-run-\(UUID().uuidString).log").path
        defer { unlink(outputPath) }
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(executable, arguments, output: outputPath)
        } catch {
            throw Unavailable(description: error.description)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw Unavailable(description: "waitpid failed for \(executable)") }
        }
        // WIFEXITED(status) && WEXITSTATUS(status) == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let printed = FileManager.default.contents(atPath: outputPath) ?? Data()
            throw Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) failed (\(status)): \(String(decoding: printed, as: UTF8.self))")
        }
    }
}

/// A PostgreSQL cluster of one test's own, for tests that stop the database under a running gateway:
/// stopping the shared one would fail every other test running beside it.
public final class PrivatePostgres: Sendable {
    public let port: Int
    let directory: String
    let script: String

    /// Makes and starts a cluster on a free loopback port, with one database, `gatehouse`.
    public init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        script = root.appendingPathComponent("scripts/postgres-cluster").path
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-pg-\(UUID().uuidString)").path
        port = try LoopbackPort.free()
        // A throwaway cluster: no fsync, so a loaded machine's disk does not slow its commits.
        try TestPostgres.run("/usr/bin/env", ["GATEHOUSE_PG_FSYNC=off", "/bin/bash", script, "init", directory + "/data"])
        try start()
        try TestPostgres.createDatabase("gatehouse", port: port)
    }

    /// Its `store.url`.
    public var url: String { TestPostgres.url(database: "gatehouse", port: port) }

    public func start() throws {
        try TestPostgres.run("/bin/bash", [script, "start", directory + "/data", String(port)])
    }

    public func stop() throws {
        try TestPostgres.run("/bin/bash", [script, "stop", directory + "/data"])
    }

    /// Stops the cluster, if running, and deletes it.
    public func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
