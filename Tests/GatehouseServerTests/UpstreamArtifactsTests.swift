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
