import Foundation
import Grants

extension SQLStore: SharedKeyStore {
    /// Kinds of key rows, with the id the first replica's key of that kind is stored under: a second
    /// replica inserting the same id at the same moment loses, and reads the winner back.
    private static func firsts(of keys: StoredKeys) -> [(kind: String, id: String, material: String?)] {
        [("signing", "signing-1", keys.jwtPrivateKey), ("sealing", "sealing-1", keys.cookieSealingKey)]
    }

    public func keys(creatingIfAbsent fresh: StoredKeys) async throws -> StoredKeys {
        for (kind, firstID, material) in Self.firsts(of: fresh) {
            guard let value = material else { continue }
            try await backend.run(
                """
                INSERT INTO gatehouse_keys (id, kind, material, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (id) DO NOTHING
                """, [.text(firstID), .text(kind), .text(value), .time(Date())])
        }
        // The newest key of each kind that is not retired is the one in use.
        let rows = try await backend.run(
            "SELECT kind, material FROM gatehouse_keys WHERE retired_at IS NULL ORDER BY created_at, id", [])
        var stored = StoredKeys()
        for row in rows {
            guard row.count == 2, let kind = row[0].text, let value = row[1].text else {
                throw StoreError.corruptRow(table: "gatehouse_keys")
            }
            switch kind {
            case "signing": stored.jwtPrivateKey = value
            case "sealing": stored.cookieSealingKey = value
            default: continue
            }
        }
        return stored
    }
}
