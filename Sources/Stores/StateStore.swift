import Authentication
import Foundation
import GatehouseCore
import Grants
import Logging

/// Everything Gatehouse keeps that decides whether an artifact opens a door, opened as `store` in
/// `gateway.json` describes: grants, handles and revocations, lockout counters, and (for `postgres`) the
/// keys every replica shares.
public struct StateStore: Sendable {
    public let grants: any GrantStore
    public let lockouts: any LockoutStore
    /// Set for `postgres`: keys live in the database, not in one machine's state directory.
    public let sharedKeys: (any SharedKeyStore)?
    private let closer: @Sendable () async -> Void
    private let pinger: @Sendable () async throws -> Void

    init(
        grants: any GrantStore, lockouts: any LockoutStore, sharedKeys: (any SharedKeyStore)?,
        closer: @escaping @Sendable () async -> Void, pinger: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.grants = grants
        self.lockouts = lockouts
        self.sharedKeys = sharedKeys
        self.closer = closer
        self.pinger = pinger
    }

    /// Closes the database connection or file.
    public func close() async { await closer() }

    /// One round trip to the database (`SELECT 1`), bounded by `store.timeoutSeconds`: what readiness asks.
    public func ping() async throws { try await pinger() }

    /// Opens the store, creating or migrating its schema.
    ///
    /// - Throws: `StoreError` for a database newer than this binary, an unusable URL or file, or a
    ///   database that does not answer within `store.timeoutSeconds` (several times that for migrating).
    public static func open(_ settings: StoreSettings, stateDirectory: String, logger: Logger) async throws -> StateStore {
        switch settings.type {
        case .memory:
            return StateStore(grants: MemoryGrantStore(), lockouts: MemoryLockoutStore(), sharedKeys: nil, closer: {})
        case .sqlite:
            let path = settings.path ?? (stateDirectory as NSString).appendingPathComponent("gatehouse.sqlite")
            let backend = try await SQLiteBackend.open(path: path, logger: logger)
            do {
                try await Schema.migrate(backend)
            } catch {
                await backend.close()
                throw error
            }
            let store = SQLStore(backend: backend)
            return StateStore(
                grants: CachedGrantStore(store), lockouts: store, sharedKeys: nil, closer: { await backend.close() },
                pinger: { try await backend.run("SELECT 1", []) })
        case .postgres:
            let backend = try PostgresBackend(
                url: settings.url ?? "", timeout: .seconds(settings.timeoutSeconds), logger: logger)
            do {
                try await Schema.migrate(backend)
            } catch {
                backend.close()
                throw error
            }
            let store = SQLStore(backend: backend)
            return StateStore(
                grants: CachedGrantStore(store), lockouts: store, sharedKeys: store, closer: { backend.close() },
                pinger: { try await backend.run("SELECT 1", []) })
        }
    }
}
