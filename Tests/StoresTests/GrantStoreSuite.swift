import Foundation
import GatehouseCore
import Grants
import Testing

/// The behaviour every `GrantStore` backend must show; `StoreBackendTests` runs it against memory,
/// SQLite and PostgreSQL. Each check gets a fresh store from `makeStore`.
func runGrantStoreSuite(_ makeStore: () async throws -> any GrantStore) async throws {
    let t0 = StoreFixture.start
    let hour: TimeInterval = 3_600

    func grant(_ id: String, expiresAt: Date) -> Grant {
        Grant(id: id, identity: StoreFixture.alice, dialect: .aspnet, issuedAt: t0, expiresAt: expiresAt, persistent: true,
              upstreamArtifacts: [".AspNet.ApplicationCookie": "legacy-ticket"])
    }

    // A saved grant comes back whole while it is live.
    do {
        let store = try await makeStore()
        let saved = grant("g1", expiresAt: t0 + hour)
        try await store.save(saved)
        #expect(try await store.grant(id: "g1", now: t0) == saved)
        #expect(try await store.grant(id: "g1", now: t0 + hour - 1) == saved)
    }
    // Unknown ids and expired grants are nil; expiry is exclusive at `expiresAt`.
    do {
        let store = try await makeStore()
        try await store.save(grant("g1", expiresAt: t0 + hour))
        #expect(try await store.grant(id: "nope", now: t0) == nil)
        #expect(try await store.grant(id: "g1", now: t0 + hour) == nil)
        #expect(try await store.grant(id: "g1", now: t0 + 2 * hour) == nil)
    }
    // Saving again replaces the grant.
    do {
        let store = try await makeStore()
        try await store.save(grant("g1", expiresAt: t0 + hour))
        var changed = grant("g1", expiresAt: t0 + 2 * hour)
        changed.persistent = false
        try await store.save(changed)
        #expect(try await store.grant(id: "g1", now: t0 + hour + 1) == changed)
    }
    // Revoking hides the grant and records the id until `until`, exclusive.
    do {
        let store = try await makeStore()
        try await store.save(grant("g1", expiresAt: t0 + hour))
        #expect(try await store.isRevoked(id: "g1", now: t0) == false)
        try await store.revoke(id: "g1", until: t0 + hour)
        #expect(try await store.grant(id: "g1", now: t0) == nil)
        #expect(try await store.isRevoked(id: "g1", now: t0) == true)
        #expect(try await store.isRevoked(id: "g1", now: t0 + hour - 1) == true)
        #expect(try await store.isRevoked(id: "g1", now: t0 + hour) == false)
    }
    // An id never saved (a partner token's) can be revoked too.
    do {
        let store = try await makeStore()
        try await store.revoke(id: "partner:jti-1", until: t0 + hour)
        #expect(try await store.isRevoked(id: "partner:jti-1", now: t0 + 1) == true)
        #expect(try await store.isRevoked(id: "partner:jti-2", now: t0 + 1) == false)
    }
    // Handles resolve to their grant id until their own expiry, exclusive.
    do {
        let store = try await makeStore()
        try await store.save(grant("g1", expiresAt: t0 + 10 * hour))
        try await store.bind(handle: "h-short", to: "g1", expiresAt: t0 + hour)
        try await store.bind(handle: "h-long", to: "g1", expiresAt: t0 + 10 * hour)
        #expect(try await store.grantID(forHandle: "h-short", now: t0) == "g1")
        #expect(try await store.grantID(forHandle: "h-short", now: t0 + hour) == nil)
        #expect(try await store.grantID(forHandle: "h-long", now: t0 + hour) == "g1")
        #expect(try await store.grantID(forHandle: "h-unknown", now: t0) == nil)
    }
    // Revoking a grant unbinds its handles and no other grant's.
    do {
        let store = try await makeStore()
        try await store.save(grant("g1", expiresAt: t0 + hour))
        try await store.save(grant("g2", expiresAt: t0 + hour))
        try await store.bind(handle: "h1a", to: "g1", expiresAt: t0 + hour)
        try await store.bind(handle: "h1b", to: "g1", expiresAt: t0 + hour)
        try await store.bind(handle: "h2", to: "g2", expiresAt: t0 + hour)
        try await store.revoke(id: "g1", until: t0 + hour)
        #expect(try await store.grantID(forHandle: "h1a", now: t0) == nil)
        #expect(try await store.grantID(forHandle: "h1b", now: t0) == nil)
        #expect(try await store.grantID(forHandle: "h2", now: t0) == "g2")
        #expect(try await store.grant(id: "g2", now: t0) == grant("g2", expiresAt: t0 + hour))
    }
}

/// What the store suites save: an identity with every kind of member, and whole-second times.
enum StoreFixture {
    /// 2023-11-14T22:13:20Z.
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    static let alice = Identity(
        subject: "0b6c1f0e-5a43-4d4e-9a55-1d2a7b0e9c11", numericID: 42, userName: "alice", displayName: "Alice Example",
        email: EmailAddresses(primary: "alice@example.com"),
        roles: [Role(name: "admin", id: "7fce52a4-5fba-452d-be64-0a6f7c510a0b", displayName: "Administrator")],
        permissions: ["users.manage"], createdAt: start, updatedAt: start, authenticator: "local")
}
