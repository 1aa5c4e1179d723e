import Authentication
import Foundation
import GatehouseCore
import Grants
import Synchronization

/// Grants, handles, revocations and lockout counters in a SQL database: `store.type` `sqlite` (one
/// machine) or `postgres` (replicas). Every statement is written once, for both.
///
/// A revocation is written before the rows it ends are deleted, and every read checks it: a crash between
/// the two leaves nothing that opens a door.
public final class SQLStore: GrantStore, LockoutStore {
    let backend: any SQLBackend
    /// Writes since expired rows were last deleted.
    private let writes = WriteCounter()

    init(backend: any SQLBackend) {
        self.backend = backend
    }

    /// How many writes pass between deletions of expired rows.
    static let sweepInterval = 1_000

    // MARK: GrantStore

    public func save(_ grant: Grant) async throws {
        let data: Data
        do { data = try JSONEncoder().encode(grant) } catch { throw StoreError.corruptRow(table: "gatehouse_grants") }
        try await backend.run(
            """
            INSERT INTO gatehouse_grants (id, data, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at
            """, [.text(grant.id), .text(String(decoding: data, as: UTF8.self)), .time(grant.expiresAt)])
        try await sweepNowAndThen(now: grant.issuedAt)
    }

    public func grant(id: String, now: Date) async throws -> Grant? {
        let rows = try await backend.run(
            """
            SELECT data FROM gatehouse_grants WHERE id = $1 AND expires_at > $2
            AND NOT EXISTS (SELECT 1 FROM gatehouse_revocations WHERE id = $1 AND until > $2)
            """, [.text(id), .time(now)])
        guard let text = rows.first?.first?.text else { return nil }
        do {
            return try JSONDecoder().decode(Grant.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptRow(table: "gatehouse_grants")
        }
    }

    public func revoke(id: String, until: Date) async throws {
        let keepLonger = backend.flavor == .postgres ? "GREATEST" : "MAX"
        try await backend.run(
            """
            INSERT INTO gatehouse_revocations (id, until) VALUES ($1, $2)
            ON CONFLICT (id) DO UPDATE SET until = \(keepLonger)(gatehouse_revocations.until, excluded.until)
            """, [.text(id), .time(until)])
        // Its handles are kept as revoked while they would have lived: a revoked handle is still known for Gatehouse's own.
        try await backend.run(
            """
            INSERT INTO gatehouse_revocations (id, until) SELECT '\(SessionHandles.revokedHandlePrefix)' || handle, expires_at
            FROM gatehouse_handles WHERE grant_id = $1 ON CONFLICT (id) DO NOTHING
            """, [.text(id)])
        try await backend.run("DELETE FROM gatehouse_handles WHERE grant_id = $1", [.text(id)])
        try await backend.run("DELETE FROM gatehouse_grants WHERE id = $1", [.text(id)])
    }

    public func isRevoked(id: String, now: Date) async throws -> Bool {
        let rows = try await backend.run(
            "SELECT 1 FROM gatehouse_revocations WHERE id = $1 AND until > $2", [.text(id), .time(now)])
        return !rows.isEmpty
    }

    public func bind(handle: String, to grantID: String, expiresAt: Date) async throws {
        try await backend.run(
            """
            INSERT INTO gatehouse_handles (handle, grant_id, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (handle) DO UPDATE SET grant_id = excluded.grant_id, expires_at = excluded.expires_at
            """, [.text(handle), .text(grantID), .time(expiresAt)])
    }

    public func binding(forHandle handle: String, now: Date) async throws -> HandleBinding? {
        let rows = try await backend.run(
            "SELECT grant_id, expires_at FROM gatehouse_handles WHERE handle = $1 AND expires_at > $2", [.text(handle), .time(now)])
        guard let row = rows.first else { return nil }
        guard row.count == 2, let grantID = row[0].text, let expiresAt = row[1].date else {
            throw StoreError.corruptRow(table: "gatehouse_handles")
        }
        return HandleBinding(grantID: grantID, expiresAt: expiresAt)
    }

    // MARK: LockoutStore

    public func recordFailure(key: String, rule: LockoutRule, now: Date) async throws -> Date? {
        // `FailureCounter.afterFailure` in one atomic statement: replicas counting at once lose no failure.
        let first = FailureCounter.afterFailure(nil, rule: rule, now: now)
        let counted = "CASE WHEN $2 - gatehouse_lockouts.window_start < $5 THEN gatehouse_lockouts.failures + 1 ELSE 1 END"
        let rows = try await backend.run(
            """
            INSERT INTO gatehouse_lockouts (key, failures, window_start, locked_until) VALUES ($1, $3, $2, $4)
            ON CONFLICT (key) DO UPDATE SET
              failures = CASE WHEN \(counted) >= $6 THEN 0 ELSE \(counted) END,
              window_start = CASE WHEN \(counted) >= $6 OR $2 - gatehouse_lockouts.window_start >= $5 THEN $2
                ELSE gatehouse_lockouts.window_start END,
              locked_until = CASE WHEN \(counted) >= $6 THEN $2 + $7 ELSE gatehouse_lockouts.locked_until END
            RETURNING locked_until
            """,
            [.text(key), .time(now), .integer(first.failures), first.lockedUntil.map(SQLValue.time) ?? .null,
             .real(TimeInterval(rule.windowSeconds)), .integer(rule.maxFailures), .real(TimeInterval(rule.lockSeconds))])
        try await sweepNowAndThen(now: now)
        guard let until = rows.first?.first?.date, now < until else { return nil }
        return until
    }

    public func lockedUntil(key: String, now: Date) async throws -> Date? {
        let rows = try await backend.run(
            "SELECT locked_until FROM gatehouse_lockouts WHERE key = $1 AND locked_until > $2", [.text(key), .time(now)])
        return rows.first?.first?.date
    }

    public func clearFailures(key: String) async throws {
        try await backend.run(
            "UPDATE gatehouse_lockouts SET failures = 0 WHERE key = $1 AND failures > 0", [.text(key)])
    }

    // MARK: Housekeeping

    /// Deletes what can open nothing any more: expired grants and handles, lapsed revocations, counters
    /// whose window and lock are both over. Only now and then, so writes stay one statement each.
    private func sweepNowAndThen(now: Date) async throws {
        guard writes.next() % Self.sweepInterval == 0 else { return }
        let time = SQLValue.time(now)
        try await backend.run("DELETE FROM gatehouse_grants WHERE expires_at <= $1", [time])
        try await backend.run("DELETE FROM gatehouse_handles WHERE expires_at <= $1", [time])
        try await backend.run("DELETE FROM gatehouse_revocations WHERE until <= $1", [time])
        try await backend.run(
            "DELETE FROM gatehouse_lockouts WHERE window_start < $1 AND (locked_until IS NULL OR locked_until <= $2)",
            [.time(now.addingTimeInterval(-86_400)), time])
    }
}

/// A counter many tasks bump at once.
final class WriteCounter: Sendable {
    private let count = Mutex(0)

    func next() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }
}
