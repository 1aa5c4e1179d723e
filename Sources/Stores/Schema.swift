/// The stores' tables and how each version of them is reached. Version `n` is reached by
/// `migrations[n - 1]`; a database records the version it is at in `gatehouse_schema`.
enum Schema {
    /// The newest version this binary writes.
    static var latest: Int { migrations(for: .sqlite).count }

    /// Every migration, oldest first: each a list of statements. Never edit a released one; append.
    static func migrations(for flavor: SQLFlavor) -> [[String]] {
        let time = flavor == .postgres ? "DOUBLE PRECISION" : "REAL"
        return [
            [
                "CREATE TABLE gatehouse_grants (id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at \(time) NOT NULL)",
                "CREATE INDEX gatehouse_grants_expiry ON gatehouse_grants (expires_at)",
                """
                CREATE TABLE gatehouse_handles (handle TEXT PRIMARY KEY, grant_id TEXT NOT NULL, \
                expires_at \(time) NOT NULL)
                """,
                "CREATE INDEX gatehouse_handles_grant ON gatehouse_handles (grant_id)",
                "CREATE TABLE gatehouse_revocations (id TEXT PRIMARY KEY, until \(time) NOT NULL)",
                """
                CREATE TABLE gatehouse_lockouts (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, \
                window_start \(time) NOT NULL, locked_until \(time))
                """,
                """
                CREATE TABLE gatehouse_keys (id TEXT PRIMARY KEY, kind TEXT NOT NULL, material TEXT NOT NULL, \
                position INTEGER NOT NULL, activates_at \(time), retires_at \(time))
                """,
            ]
        ]
    }

    /// Brings the database to `latest`, or refuses one that is newer. Safe to run from several
    /// replicas at once: `exclusively` keeps them out of each other's way.
    static func migrate(_ backend: any SQLBackend) async throws {
        try await backend.exclusively { db in
            try await db.run("CREATE TABLE IF NOT EXISTS gatehouse_schema (version INTEGER NOT NULL)", [])
            let rows = try await db.run("SELECT MAX(version) FROM gatehouse_schema", [])
            let current = rows.first?.first?.integer ?? 0
            let all = migrations(for: db.flavor)
            guard current <= all.count else { throw StoreError.schemaTooNew(found: current, supported: all.count) }
            for version in (current + 1)..<(all.count + 1) {
                for statement in all[version - 1] { try await db.run(statement, []) }
                try await db.run("INSERT INTO gatehouse_schema (version) VALUES ($1)", [.integer(version)])
            }
        }
    }
}
