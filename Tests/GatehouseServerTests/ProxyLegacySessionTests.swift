import Foundation
import GatehouseCore
import GatehouseTesting
import Hummingbird
import Testing

/// Sign in once at the front door, and the legacy service behind the proxy sees its own session.
@Suite struct ProxyLegacySessionTests {
    /// The fake ServiceStack system, plus `GET /echo/**` answering with the Cookie and Authorization it received.
    static func legacyService(_ fake: FakeServiceStackLegacy) -> Router<PeerContext> {
        let router = fake.router()
        router.get("echo/**") { request, _ -> String in
            let cookie = request.headers[.cookie] ?? "-"
            let authorization = request.headers[.authorization] ?? "-"
            return "cookie=\(cookie)\nauthorization=\(authorization)"
        }
        return router
    }

    @Test func theLegacySessionFromUpstreamSignInIsAttachedOnRoutesToThatSystem() async throws {
        let fake = FakeServiceStackLegacy()
        try await LoopbackServer.run(Self.legacyService(fake)) { legacyPort in
            try await LoopbackServer.run(EchoUpstream.router(name: "other")) { otherPort in
                let config = try ProxyConfiguration.make(
                    routes: [
                        ProxyConfiguration.app("http://127.0.0.1:\(legacyPort)"),
                        ["name": "other", "pathPrefix": "/other", "upstream": "http://127.0.0.1:\(otherPort)", "stripPrefix": true,
                         "policy": "authenticated"],
                    ],
                    authenticators: [["name": "legacy-app", "type": "upstream", "dialect": "servicestack",
                                      "url": fake.signInURL(port: legacyPort), "timeoutSeconds": 20]])
                try await withLiveGateway(config) { client in
                    // The caller signs in through the Web API door; Gatehouse signs in to ServiceStack behind it.
                    let signIn = try await client.post(
                        "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#)
                    let jwt = try #require(signIn.json?["access_token"]?.stringValue)
                    let sessions = fake.legacy.openSessions
                    let session = try #require(sessions.count == 1 ? sessions.first : nil)

                    let reply = try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(jwt)"), ("Cookie", "theme=dark")])
                    #expect(reply.status == 200)
                    let lines = reply.text.split(separator: "\n").map(String.init)
                    #expect(lines.count == 2)
                    let cookies = (lines.first ?? "").dropFirst("cookie=".count).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    // The client's own cookie, then the legacy session's (ss-id and ss-pid as ServiceStack set them).
                    #expect(cookies.count == 3)
                    #expect(cookies.first == "theme=dark")
                    #expect(cookies.contains("ss-id=\(session.tokens[0])"))
                    #expect(cookies.contains { $0.hasPrefix("ss-pid=") && $0.count > "ss-pid=".count })
                    #expect(lines.last == "authorization=Bearer \(session.tokens[1])")

                    // A route to another system gets none of it.
                    let other = try await client.get("/other/echo/y", headers: [("Authorization", "Bearer \(jwt)")])
                    let seen = ReverseProxyTests.received(other)
                    #expect(ReverseProxyTests.values("Cookie", in: seen).isEmpty)
                    #expect(ReverseProxyTests.values("Authorization", in: seen).isEmpty)
                    #expect(ReverseProxyTests.values("X-Auth-User", in: seen) == ["Admin"])
                }
            }
        }
    }
}
