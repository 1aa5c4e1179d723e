import Foundation
import Grants
import Synchronization

extension SQLStore: SharedKeyStore {
    public func keys(creatingIfAbsent fresh: [StoredKey]) async throws -> [StoredKey] {
        for (position, key) in fresh.enumerated() {
            // Only when no key of its kind exists; two replicas starting at once insert the same id, and one loses.
            try await backend.run(
                """
                INSERT INTO gatehouse_keys (id, kind, material, position, activates_at, retires_at)
                SELECT $1, $2, $3, $4, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM gatehouse_keys WHERE kind = $2)
                ON CONFLICT (id) DO NOTHING
                """, [.text(key.id), .text(key.kind.rawValue), .text(key.material), .integer(position)])
        }
        return try await Self.storedKeys(in: backend)
    }

    public func replaceKeys(_ change: @escaping @Sendable ([StoredKey]) -> [StoredKey]) async throws -> [StoredKey] {
        let replaced = Replaced()
        try await backend.exclusively { db in
            let keys = change(try await Self.storedKeys(in: db))
            try await db.run("DELETE FROM gatehouse_keys", [])
            for (position, key) in keys.enumerated() {
                try await db.run(
                    """
                    INSERT INTO gatehouse_keys (id, kind, material, position, activates_at, retires_at)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    """,
                    [.text(key.id), .text(key.kind.rawValue), .text(key.material), .integer(position),
                     key.activatesAt.map(SQLValue.time) ?? .null, key.retiresAt.map(SQLValue.time) ?? .null])
            }
            replaced.value.withLock { $0 = keys }
        }
        return replaced.value.withLock { $0 }
    }

    private static func storedKeys(in backend: any SQLBackend) async throws -> [StoredKey] {
        let rows = try await backend.run(
            "SELECT id, kind, material, activates_at, retires_at FROM gatehouse_keys ORDER BY position, id", [])
        return try rows.map { row in
            guard row.count == 5, let id = row[0].text, let kind = row[1].text.flatMap(StoredKey.Kind.init(rawValue:)),
                let material = row[2].text
            else { throw StoreError.corruptRow(table: "gatehouse_keys") }
            return StoredKey(id: id, kind: kind, material: material, activatesAt: row[3].date, retiresAt: row[4].date)
        }
    }
}

/// What a transaction's body hands back out of its `@Sendable` closure.
private final class Replaced: Sendable {
    let value = Mutex<[StoredKey]>([])
}
