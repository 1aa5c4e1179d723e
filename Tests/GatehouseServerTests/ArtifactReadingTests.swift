import GatehouseCore
import GatehouseServer
import GatehouseTesting
import Testing

/// The doors and the proxy read what a request presents one way (`PresentedArtifacts`).
@Suite struct ArtifactReadingTests {
    static let routes: @Sendable (Int) -> [[String: Any]] = { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }

    /// ServiceStack's door and the proxied route both take `headers` as Admin's session; the proxied reply.
    @discardableResult
    static func expectAdmin(_ client: GatewayClient, presenting headers: [(String, String)]) async throws -> Reply {
        let door = try await client.get("/auth", headers: headers)
        #expect(door.status == 200)
        #expect(door.json?["UserName"]?.stringValue == "Admin")
        let proxied = try await client.get("/app/echo/x", headers: headers)
        #expect(proxied.status == 200, "\(proxied.text)")
        #expect(ReverseProxyTests.values("X-Auth-User", in: ReverseProxyTests.received(proxied)) == ["Admin"])
        return proxied
    }

    /// A cookie value in double quotes (RFC 6265 §4.1.1) opens the route as it opens ServiceStack's door.
    @Test func aQuotedSSIdCookieOpensTheRouteAsItOpensTheDoor() async throws {
        try await ReverseProxyTests.withProxy(routes: Self.routes) { client, _ in
            let id = try await OneIdentityManyDoorsTests.signIn(.serviceStackSessionID, client)
            try await Self.expectAdmin(client, presenting: [("Cookie", "ss-id=\"\(id)\"")])
        }
    }

    /// A request carrying two sessions is in the same one at the door and through the proxy: `X-ss-id` first.
    @Test func theDoorAndTheProxyTakeTheSameOfTwoSessions() async throws {
        try await ReverseProxyTests.withProxy(routes: Self.routes) { client, _ in
            let adminSession = try await OneIdentityManyDoorsTests.signIn(.serviceStackSessionID, client)
            let signIn = try await client.post("/auth/credentials", json: #"{"UserName":"editor","Password":"editor-pass"}"#)
            let editorBearer = try #require(signIn.json?["BearerToken"]?.stringValue)
            let proxied = try await Self.expectAdmin(client, presenting: [("Authorization", "Bearer \(editorBearer)"), ("X-ss-id", adminSession)])
            // The editor's bearer was Gatehouse's: it is not passed on either.
            #expect(ReverseProxyTests.values("Authorization", in: ReverseProxyTests.received(proxied)).isEmpty)
        }
    }
}
