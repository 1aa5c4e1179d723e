import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("MemoryGrantStore")
struct MemoryGrantStoreTests {
    @Test func aSweepDropsEveryLapsedEntryAndKeepsTheLiveOnes() async throws {
        let store = MemoryGrantStore()
        let t0 = TestClock.start
        func grant(_ id: String, expiresAt: Date) -> Grant {
            Grant(id: id, identity: GrantFixture.alice, dialect: .webapi, issuedAt: t0, expiresAt: expiresAt, persistent: false)
        }
        let live = grant("live", expiresAt: t0 + 100_000)
        await store.save(live)
        await store.save(grant("lapsed", expiresAt: t0 + 1))
        await store.bind(handle: "h-live", to: "live", expiresAt: t0 + 100_000)
        for i in 0..<100 {
            await store.bind(handle: "h\(i)", to: i.isMultiple(of: 2) ? "live" : "lapsed", expiresAt: t0 + 1)
        }
        await store.revoke(id: "revoked", until: t0 + 1)
        let before = await store.entryCounts
        #expect(before == .init(grants: 2, revocations: 1, bindings: 101, indexedGrants: 2))

        // Writes carry no clock: the sweep comes with the lookups, once every `sweepInterval` of them.
        for _ in 0..<MemoryGrantStore.sweepInterval {
            _ = try await store.grantID(forHandle: "unknown", now: t0 + 2)
        }

        let after = await store.entryCounts
        #expect(after == .init(grants: 1, revocations: 0, bindings: 1, indexedGrants: 1))
        #expect(await store.grant(id: "live", now: t0 + 2) == live)
        #expect(try await store.grantID(forHandle: "h-live", now: t0 + 2) == "live")
    }
}
