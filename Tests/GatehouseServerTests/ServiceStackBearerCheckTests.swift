import GatehouseCore
import GatehouseTesting
import Testing
import Upstream

/// A bearer the front door did not issue is checked at a ServiceStack upstream with `GET /auth`.
@Suite struct ServiceStackBearerCheckTests {
    @Test func anAnswerOutsideTheDialectIsAnOutageNotARefusal() async throws {
        // The SSO fake has no `/auth`: its 404 is not ServiceStack's 401, so the upstream counts as unavailable.
        let elsewhere = FakeSSOLegacy()
        try await elsewhere.run { port in
            let config = try TestConfiguration.front(upstream: .servicestack, url: "http://127.0.0.1:\(port)/auth/credentials")
            try await withLiveGateway(config) { front in
                let reply = try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer some-token")])
                #expect(reply.status == 503)
                #expect(reply.text == #"{"detail":"Service temporarily unavailable, try again later."}"#)
            }
            #expect(elsewhere.legacy.requestCount == 1)
        }
    }

    @Test func aBearerTheUpstreamLoggedOutIsRefused() async throws {
        let fake = FakeServiceStackLegacy()
        try await fake.run { port in
            let signIn = try await FakeLegacyTests.send("POST", port, "/auth/credentials", json: #"{"UserName":"editor","Password":"editor-pass"}"#)
            let bearer = try #require(JSONValue.parse(signIn.body)?["BearerToken"]?.stringValue)
            try await withLiveGateway(try TestConfiguration.front(upstream: .servicestack, url: fake.signInURL(port: port))) { front in
                let live = try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(bearer)")])
                #expect(live.text == #"{"id":2,"ext_id":null,"username":"editor","role":"editor","tags":[]}"#)
                _ = try await FakeLegacyTests.send("POST", port, "/auth/logout", headers: [("Authorization", "Bearer \(bearer)")])
                let gone = try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(bearer)")])
                #expect(gone.status == 401)
            }
        }
    }
}
