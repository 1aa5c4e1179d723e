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
        (DialectID.servicestack, "/auth/credentials", ["bearer", "cookie:ss-id", "cookie:ss-pid"]),
        (DialectID.aspnet, "/{route}/SignIn", ["cookie:.AspNet.ApplicationCookie"]),
        (DialectID.webapi, "/api/Account/SignIn", ["bearer"]),
        (DialectID.baas, "/v2/auth/signin", ["bearer"]),
    ])
    func grantKeepsTheUpstreamsArtifacts(upstream: DialectID, path: String, names: [String]) async throws {
        let legacy = try await GatehouseApplication.make(config: try TestConfiguration.make(), port: 0)
        try await legacy.test(.live) { legacyClient in
            let port = try #require(legacyClient.port)
            let gateway = try await Gateway.build(try TestConfiguration.front(upstream: upstream, url: "http://127.0.0.1:\(port)\(path)"))
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
    @Test(arguments: [(DialectID.baas, "/v2/auth/signin"), (DialectID.servicestack, "/auth/credentials")])
    func frontDoorSignOutEndsTheUpstreamSession(upstream: DialectID, path: String) async throws {
        let legacy = try await GatehouseApplication.make(config: try TestConfiguration.make(), port: 0)
        try await legacy.test(.live) { legacyClient in
            let port = try #require(legacyClient.port)
            let gateway = try await Gateway.build(try TestConfiguration.front(upstream: upstream, url: "http://127.0.0.1:\(port)\(path)"))
            let logger = Logger(label: "test")
            let body = #"{"UserName":"admin@example.com","Password":"admin-pass"}"#
            let signIn = try #require(await gateway.respond(
                to: WireRequest(method: "POST", target: "/auth/credentials", headers: WireHeaders([("Content-Type", "application/json")]), body: Array(body.utf8)),
                logger: logger))
            let bearer = try #require(JSONValue.parse(signIn.body)?["BearerToken"]?.stringValue)
            let grant = try #require(try await gateway.grants.resolve(.bearer(bearer)))
            let legacyToken = try #require(grant.upstreamArtifacts["bearer"])
            let legacyHeaders = [("X-Api-Key", TestConfiguration.apiKey), ("Authorization", "Bearer \(legacyToken)")]
            let client = GatewayClient(client: legacyClient)
            // The legacy session is live: BaaS verify / ServiceStack GET /auth answer 200.
            let check = upstream == .baas ? "/v2/auth/verify" : "/auth"
            #expect(try await client.get(check, headers: legacyHeaders).status == 200)

            let out = try #require(await gateway.respond(
                to: WireRequest(method: "POST", target: "/auth/logout", headers: WireHeaders([("Authorization", "Bearer \(bearer)")])),
                logger: logger))
            #expect(out.status == 200)
            #expect(try await client.get(check, headers: legacyHeaders).status == 401)
        }
    }
}
