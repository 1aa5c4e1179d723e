import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// `.AspNet.ApplicationCookie` presented as a cookie is signed out by every door that signs out:
/// ASP.NET's own `POST /{route}/SignOut`, ServiceStack's `/auth/logout` and BaaS `/v2/auth/signout`.
@Suite struct AspNetCookieSignOutTests {
    /// Katana's deletion, plus the server's `SameSite=Lax` (the default `server.sameSite`).
    static let katanaDeletion = ".AspNet.ApplicationCookie=; path=/; expires=Thu, 01-Jan-1970 00:00:00 GMT; SameSite=Lax"
    static let signedOutBody = #"{"UserInfo":null,"ResponseCookies":[],"IsValid":false}"#

    /// Signs in at the ASP.NET door; the cookie's ticket.
    static func ticket(_ client: GatewayClient) async throws -> String {
        let reply = try await client.post("/1/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
        return try #require(reply.cookie(".AspNet.ApplicationCookie"))
    }

    /// Whether the grant behind the ticket is live, asked at the SSO door (which takes any artifact as a bearer).
    static func isLive(_ ticket: String, _ client: GatewayClient) async throws -> Bool {
        try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(ticket)")]).status == 200
    }

    @Test(arguments: ["/1/SignOut", "/1/signout", "/1/SIGNOUT"])
    func aspNetSignOutRevokesTheCookieAndDeletesItAsKatanaDoes(path: String) async throws {
        try await withLiveGateway { client in
            let ticket = try await Self.ticket(client)
            #expect(try await Self.isLive(ticket, client))
            let reply = try await client.send("POST", path, headers: [("Cookie", ".AspNet.ApplicationCookie=\(ticket)")])
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            #expect(reply.header("Cache-Control") == "no-cache")
            #expect(reply.header("Pragma") == "no-cache")
            #expect(reply.header("Expires") == "-1")
            #expect(reply.setCookies == [Self.katanaDeletion])
            #expect(reply.text == Self.signedOutBody)
            #expect(try await !Self.isLive(ticket, client))
        }
    }

    @Test(arguments: [[(String, String)](), [("Cookie", ".AspNet.ApplicationCookie=forged")]])
    func aspNetSignOutWithoutALiveCookieStillDeletesIt(headers: [(String, String)]) async throws {
        try await withLiveGateway { client in
            let reply = try await client.send("POST", "/1/SignOut", headers: headers)
            #expect(reply.status == 200)
            #expect(reply.setCookies == [Self.katanaDeletion])
            #expect(reply.text == Self.signedOutBody)
        }
    }

    @Test func aspNetSignOutFollowsTheRouteAndMethodRulesOfSignIn() async throws {
        try await withLiveGateway { client in
            let unknown = try await client.send("POST", "/7/SignOut")
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"Message":"No HTTP resource was found that matches the request URI '/7/SignOut'."}"#)
            let get = try await client.get("/1/SignOut")
            #expect(get.status == 405)
            #expect(get.header("Allow") == "POST")
            #expect(get.text == #"{"Message":"The requested resource does not support http method 'GET'."}"#)
        }
    }

    @Test func serviceStackLogoutRevokesTheASPNetCookieBesideItsSession() async throws {
        try await withLiveGateway { client in
            let ticket = try await Self.ticket(client)
            let signIn = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            let ssid = try #require(signIn.cookie("ss-id"))
            let cookie = [("Cookie", "ss-id=\(ssid); .AspNet.ApplicationCookie=\(ticket)")]
            let logout = try await client.get("/auth/logout", headers: cookie)
            #expect(logout.status == 200)
            #expect(logout.text == "{}")
            #expect(try await !Self.isLive(ticket, client))
            #expect(try await client.get("/auth", headers: [("Cookie", "ss-id=\(ssid)")]).status == 401)
        }
    }

    @Test func serviceStackLogoutRevokesTheASPNetCookieAlone() async throws {
        try await withLiveGateway { client in
            let ticket = try await Self.ticket(client)
            let logout = try await client.send("POST", "/auth/logout", headers: [("Cookie", ".AspNet.ApplicationCookie=\(ticket)")])
            #expect(logout.status == 200)
            #expect(try await !Self.isLive(ticket, client))
        }
    }

    @Test func baasSignOutRevokesTheASPNetCookieWithOrWithoutASessionToken() async throws {
        try await withLiveGateway { client in
            let keyed = [("X-Api-Key", TestConfiguration.apiKey)]
            let alone = try await Self.ticket(client)
            let out = try await client.send("DELETE", "/v2/auth/signout", headers: keyed + [("Cookie", ".AspNet.ApplicationCookie=\(alone)")])
            #expect(out.status == 200)
            #expect(out.text == "{}")
            #expect(try await !Self.isLive(alone, client))

            let beside = try await Self.ticket(client)
            let signIn = try await client.post("/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#, headers: keyed)
            let token = try #require(signIn.json?["sessionToken"]?.stringValue)
            let both = try await client.get(
                "/v2/auth/signout", headers: keyed + [("Authorization", "Bearer \(token)"), ("Cookie", ".AspNet.ApplicationCookie=\(beside)")])
            #expect(both.status == 200)
            #expect(try await !Self.isLive(beside, client))
            #expect(try await client.get("/v2/auth/verify", headers: keyed + [("Authorization", "Bearer \(token)")]).status == 401)
        }
    }

    @Test func baasSignOutWithNeitherIsStillAMissingSession() async throws {
        try await withLiveGateway { client in
            let reply = try await client.get("/v2/auth/signout", headers: [("X-Api-Key", TestConfiguration.apiKey)])
            #expect(reply.status == 401)
            #expect(reply.text == #"[{"code":401,"message":"Missing session token"}]"#)
        }
    }
}
