import Foundation
import GatehouseCore
import Logging

/// Hooks for the store tests: the schema version table, read and written behind the store's back.
package enum StoreTesting {
    /// Every version recorded in `gatehouse_schema`, in order.
    package static func schemaVersions(in settings: StoreSettings) async throws -> [Int] {
        try await withBackend(settings) { backend in
            try await backend.run("SELECT version FROM gatehouse_schema ORDER BY version", []).compactMap { $0.first?.integer }
        }
    }

    /// Records `version` as the database's newest, as a newer gatehouse would.
    package static func setSchemaVersion(_ version: Int, in settings: StoreSettings) async throws {
        _ = try await withBackend(settings) { backend in
            try await backend.run("INSERT INTO gatehouse_schema (version) VALUES ($1)", [.integer(version)])
        }
    }

    private static func withBackend<T: Sendable>(_ settings: StoreSettings, _ body: (any SQLBackend) async throws -> T) async throws -> T {
        let logger = Logger(label: "gatehouse-store-test")
        switch settings.type {
        case .sqlite:
            let backend = try await SQLiteBackend.open(path: settings.path ?? "", logger: logger)
            do {
                let result = try await body(backend)
                await backend.close()
                return result
            } catch {
                await backend.close()
                throw error
            }
        case .postgres:
            let backend = try PostgresBackend(url: settings.url ?? "", timeout: .seconds(5), logger: logger)
            defer { backend.close() }
            return try await body(backend)
        case .memory:
            throw StoreError.unusable(reason: "the memory store has no schema")
        }
    }
}
