import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("MemoryGrantStore")
struct MemoryGrantStoreTests {
    @Test func passesTheSharedGrantStoreSuite() async throws {
        try await runGrantStoreSuite { MemoryGrantStore() }
    }

    @Test func lapsedEntriesAreSweptWithoutChangingAnswers() async throws {
        // Enough lookups to trigger sweeps; live entries must survive them.
        let store: any GrantStore = MemoryGrantStore()
        let t0 = TestClock.start
        let live = Grant(id: "live", identity: GrantFixture.alice, dialect: .webapi, issuedAt: t0,
                         expiresAt: t0 + 100_000, persistent: false)
        try await store.save(live)
        try await store.bind(handle: "h-live", to: "live", expiresAt: t0 + 100_000)
        for i in 0..<2_100 {
            try await store.bind(handle: "h\(i)", to: "live", expiresAt: t0 + 1)
            _ = try await store.grantID(forHandle: "h\(i)", now: t0 + 2)
        }
        #expect(try await store.grant(id: "live", now: t0 + 2) == live)
        #expect(try await store.grantID(forHandle: "h-live", now: t0 + 2) == "live")
        #expect(try await store.grantID(forHandle: "h2099", now: t0 + 2) == nil)
    }
}
