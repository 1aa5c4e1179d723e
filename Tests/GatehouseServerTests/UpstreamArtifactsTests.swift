import Authentication
import Dialects
import Foundation
import GatehouseCore
@testable import GatehouseServer
import GatehouseTesting
import Grants
import HummingbirdTesting
import Logging
import Testing
import Upstream

/// The legacy upstream's own artifacts are kept on the grant, for the proxy to hand back to the legacy service.
@Suite struct UpstreamArtifactsTests {
    @Test(arguments: [
        (DialectID.servicestack, ["bearer", "cookie:ss-id", "cookie:ss-pid"]),
        (DialectID.aspnet, ["cookie:.AspNet.ApplicationCookie"]),
        (DialectID.webapi, ["bearer"]),
        (DialectID.baas, ["bearer"]),
    ])
    func grantKeepsTheUpstreamsArtifacts(upstream: DialectID, names: [String]) async throws {
        let fake = FakeLegacy.system(for: upstream)
        try await fake.run { port in
            let gateway = try await Gateway.build(try TestConfiguration.front(upstream: upstream, url: fake.signInURL(port: port)))
            let body = #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#
            let request = WireRequest(method: "POST", target: "/api/Account/SignIn",
                                      headers: WireHeaders([("Content-Type", "application/json")]), body: Array(body.utf8))
            let reply = try #require(await gateway.respond(to: request, logger: Logger(label: "test")))
            #expect(reply.status == 200)
            let token = try #require(JSONValue.parse(reply.body)?["access_token"]?.stringValue)
            let grant = try #require(try await gateway.grants.resolve(.bearer(token)))
            #expect(grant.upstreamArtifacts.keys.sorted() == names)
            #expect(grant.upstreamArtifacts.values.allSatisfy { $0.count >= 20 })
        }
    }
}

/// Signing out at the front door also ends the legacy session, where the legacy dialect has a sign-out.
@Suite struct UpstreamSignOutTests {
    @Test(arguments: [DialectID.baas, .servicestack])
    func frontDoorSignOutEndsTheUpstreamSession(upstream: DialectID) async throws {
        let fake = FakeLegacy.system(for: upstream)
        try await fake.run { port in
            let gateway = try await Gateway.build(try TestConfiguration.front(upstream: upstream, url: fake.signInURL(port: port)))
            let logger = Logger(label: "test")
            let body = #"{"UserName":"admin@example.com","Password":"admin-pass"}"#
            let signIn = try #require(await gateway.respond(
                to: WireRequest(method: "POST", target: "/auth/credentials", headers: WireHeaders([("Content-Type", "application/json")]), body: Array(body.utf8)),
                logger: logger))
            let bearer = try #require(JSONValue.parse(signIn.body)?["BearerToken"]?.stringValue)
            let grant = try #require(try await gateway.grants.resolve(.bearer(bearer)))
            let legacyToken = try #require(grant.upstreamArtifacts["bearer"])
            #expect(fake.legacy.isLive(legacyToken))

            let out = try #require(await gateway.respond(
                to: WireRequest(method: "POST", target: "/auth/logout", headers: WireHeaders([("Authorization", "Bearer \(bearer)")])),
                logger: logger))
            #expect(out.status == 200)
            #expect(!fake.legacy.isLive(legacyToken))
        }
    }
}

/// A bearer that only an upstream can vouch for gets the caller its identity, and leaves nothing behind.
@Suite struct UpstreamBearerCheckTests {
    @Test func checkingAnUpstreamBearerSavesNoGrant() async throws {
        let fake = FakeLegacy.system(for: .sso)
        try await fake.run { port in
            let config = try TestConfiguration.front(upstream: .sso, url: fake.signInURL(port: port))
            let store = CountingGrantStore()
            let grants = try await GrantService(
                config: config, keys: try await GrantKeys.load(config.keys, stateDirectory: config.stateDirectory), store: store)
            let gateway = Gateway(
                dialects: Gateway.makeDialects(config.dialects),
                chain: AuthenticatorChain(try Gateway.makeAuthenticators(config, client: UpstreamClient())),
                lockout: Lockout(settings: config.lockout, store: MemoryLockoutStore()), grants: grants)
            let request = WireRequest(
                method: "POST", target: "/api/v2/sso/signin/",
                headers: WireHeaders([("Authorization", "Bearer \(FakeSSOLegacy.token(for: .admin))")]), body: [])
            for _ in 0..<3 {
                let reply = try #require(await gateway.respond(to: request, logger: Logger(label: "test")))
                #expect(reply.status == 200)
                #expect(JSONValue.parse(reply.body)?["username"]?.stringValue == "Admin")
            }
            #expect(await store.saves == 0)
        }
    }
}

/// A memory store that counts what is saved in it.
private actor CountingGrantStore: GrantStore {
    private let inner = MemoryGrantStore()
    private(set) var saves = 0

    func save(_ grant: Grant) async {
        saves += 1
        await inner.save(grant)
    }

    func grant(id: String, now: Date) async -> Grant? { await inner.grant(id: id, now: now) }
    func revoke(id: String, until: Date) async { await inner.revoke(id: id, until: until) }
    func isRevoked(id: String, now: Date) async -> Bool { await inner.isRevoked(id: id, now: now) }
    func bind(handle: String, to grantID: String, expiresAt: Date) async {
        await inner.bind(handle: handle, to: grantID, expiresAt: expiresAt)
    }
    func binding(forHandle handle: String, now: Date) async -> HandleBinding? { await inner.binding(forHandle: handle, now: now) }
}
