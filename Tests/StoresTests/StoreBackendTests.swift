import Authentication
import Foundation
import GatehouseCore
import GatehouseTesting
import Grants
import Logging
import Stores
import Testing

/// The shared store suites on every backend, and what only the database backends have: a schema that is
/// created, versioned and refused when newer, and state that outlives the process.
@Suite("Store backends")
struct StoreBackendTests {
    static let logger = Logger(label: "gatehouse-store-test")

    /// A new SQLite file's settings, in a directory of its own.
    static func sqlite() -> (settings: StoreSettings, directory: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-store-\(UUID().uuidString)").path
        return (StoreSettings(type: .sqlite, path: directory + "/state/gatehouse.sqlite"), directory)
    }

    static func postgres() throws -> StoreSettings {
        // Generous: the whole suite shares two cores with the database, and a slow answer is not what is tested here.
        StoreSettings(type: .postgres, url: try TestPostgres.newDatabase(), timeoutSeconds: 15)
    }

    static func open(_ settings: StoreSettings) async throws -> StateStore {
        try await StateStore.open(settings, stateDirectory: "/nonexistent/unused", logger: logger)
    }

    /// Runs a suite with a fresh store from `settings()` per check, closing every one afterwards: each
    /// PostgreSQL store holds a pool of connections until closed.
    static func withFreshStores(
        _ settings: @escaping @Sendable () throws -> StoreSettings, _ suite: (@escaping () async throws -> StateStore) async throws -> Void
    ) async throws {
        let opened = Opened()
        do {
            try await suite { try await opened.add(Self.open(settings())) }
        } catch {
            await opened.closeAll()
            throw error
        }
        await opened.closeAll()
    }

    actor Opened {
        private var stores: [StateStore] = []

        func add(_ store: StateStore) -> StateStore {
            stores.append(store)
            return store
        }

        func closeAll() async {
            for store in stores { await store.close() }
            stores = []
        }
    }

    @Test func memoryPassesTheGrantStoreSuite() async throws {
        try await runGrantStoreSuite { MemoryGrantStore() }
    }

    @Test func sqlitePassesTheGrantStoreSuite() async throws {
        try await Self.withFreshStores({ Self.sqlite().settings }) { fresh in try await runGrantStoreSuite { try await fresh().grants } }
    }

    @Test func postgresPassesTheGrantStoreSuite() async throws {
        try await Self.withFreshStores(Self.postgres) { fresh in try await runGrantStoreSuite { try await fresh().grants } }
    }

    @Test func memoryPassesTheLockoutSuite() async throws {
        try await runLockoutStoreSuite { MemoryLockoutStore() }
    }

    @Test func sqlitePassesTheLockoutSuite() async throws {
        try await Self.withFreshStores({ Self.sqlite().settings }) { fresh in try await runLockoutStoreSuite { try await fresh().lockouts } }
    }

    @Test func postgresPassesTheLockoutSuite() async throws {
        try await Self.withFreshStores(Self.postgres) { fresh in try await runLockoutStoreSuite { try await fresh().lockouts } }
    }

    @Test func sqliteKeepsGrantsHandlesAndRevocationsAcrossARestart() async throws {
        let (settings, directory) = Self.sqlite()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let t0 = StoreFixture.start
        let kept = Grant(id: "kept", identity: StoreFixture.alice, dialect: .baas, issuedAt: t0, expiresAt: t0 + 3_600, persistent: true)
        do {
            let first = try await Self.open(settings)
            try await first.grants.save(kept)
            try await first.grants.bind(handle: "h-kept", to: "kept", expiresAt: t0 + 3_600)
            try await first.grants.revoke(id: "partner:jti-9", until: t0 + 3_600)
            await first.close()
        }
        let second = try await Self.open(settings)
        defer { Task { await second.close() } }
        #expect(try await second.grants.grant(id: "kept", now: t0 + 1) == kept)
        #expect(try await second.grants.grantID(forHandle: "h-kept", now: t0 + 1) == "kept")
        #expect(try await second.grants.isRevoked(id: "partner:jti-9", now: t0 + 1) == true)
    }

    @Test func postgresReplicasShareOneKeyPair() async throws {
        let settings = try Self.postgres()
        let stores = try await [Self.open(settings), Self.open(settings)]
        let first = try #require(stores[0].sharedKeys)
        let second = try #require(stores[1].sharedKeys)
        let mine = [StoredKey(id: "signing-1", kind: .signing, material: "pem-a"), StoredKey(id: "sealing-1", kind: .sealing, material: "seal-a")]
        let theirs = [StoredKey(id: "signing-1", kind: .signing, material: "pem-b"), StoredKey(id: "sealing-1", kind: .sealing, material: "seal-b")]
        #expect(try await first.keys(creatingIfAbsent: mine) == mine)
        #expect(try await second.keys(creatingIfAbsent: theirs) == mine)
        // Replacing is all or nothing, in the order given, and every replica reads the same.
        let rotated = mine + [StoredKey(id: "signing-2", kind: .signing, material: "pem-c", activatesAt: StoreFixture.start)]
        #expect(try await first.replaceKeys { _ in rotated } == rotated)
        #expect(try await second.keys(creatingIfAbsent: theirs) == rotated)
        for store in stores { await store.close() }
    }

    @Test(arguments: [StoreKind.sqlite, .postgres])
    func aDatabaseOfANewerSchemaIsRefused(_ kind: StoreKind) async throws {
        let settings = kind == .sqlite ? Self.sqlite().settings : try Self.postgres()
        await (try await Self.open(settings)).close()
        try await StoreTesting.setSchemaVersion(999, in: settings)
        await #expect(throws: StoreError.schemaTooNew(found: 999, supported: 1)) { try await Self.open(settings) }
    }

    @Test func replicasStartingAtOnceMigrateOnce() async throws {
        let settings = try Self.postgres()
        // Several replicas starting at once: each waits for the others' migration, none fails.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await Self.open(settings).close() } }
            try await group.waitForAll()
        }
        #expect(try await StoreTesting.schemaVersions(in: settings) == [1])
    }
}
