import Dialects
import GatehouseCore
@testable import GatehouseServer
import GatehouseTesting
import Grants
import HummingbirdTesting
import Logging
import Testing

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
