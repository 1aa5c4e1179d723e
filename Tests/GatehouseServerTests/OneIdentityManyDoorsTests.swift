import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// Any artifact any dialect issued opens `sso` and ServiceStack's `GET /auth`; after sign-out, nothing.
@Suite struct OneIdentityManyDoorsTests {
    enum Door: String, CaseIterable, Sendable {
        case webapiJWT, baasSessionToken, serviceStackBearer, serviceStackSessionID, aspnetTicket
    }

    /// Signs in as Admin through the door's dialect and returns the artifact to present as a bearer.
    static func signIn(_ door: Door, _ client: GatewayClient) async throws -> String {
        switch door {
        case .webapiJWT:
            let reply = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#)
            return try #require(reply.json?["access_token"]?.stringValue)
        case .baasSessionToken:
            let reply = try await client.post("/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#,
                                              headers: [("X-Api-Key", TestConfiguration.apiKey)])
            return try #require(reply.json?["sessionToken"]?.stringValue)
        case .serviceStackBearer:
            let reply = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            return try #require(reply.json?["BearerToken"]?.stringValue)
        case .serviceStackSessionID:
            let reply = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            return try #require(reply.cookie("ss-id"))
        case .aspnetTicket:
            let reply = try await client.post("/1/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            return try #require(reply.cookie(".AspNet.ApplicationCookie"))
        }
    }

    static let adminSSO = #"{"id":1,"ext_id":1001,"username":"Admin","role":"admin","tags":[7,9]}"#

    @Test(arguments: Door.allCases)
    func artifactSignsInThroughSSOAndOpensGetAuthUntilSignOut(door: Door) async throws {
        try await withLiveGateway { client in
            let artifact = try await Self.signIn(door, client)
            let bearer = [("Authorization", "Bearer \(artifact)")]

            let sso = try await client.send("POST", "/api/v2/sso/signin/", headers: bearer)
            #expect(sso.status == 200)
            #expect(sso.text == Self.adminSSO)
            let session = try await client.get("/auth", headers: bearer)
            #expect(session.status == 200)
            #expect(session.json?["UserName"] == .string("Admin"))

            // Sign out through another dialect: ServiceStack's logout ends the grant behind any artifact.
            let logout = try await client.send("POST", "/auth/logout", headers: bearer)
            #expect(logout.status == 200)
            #expect(logout.text == "{}")

            let ssoAfter = try await client.send("POST", "/api/v2/sso/signin/", headers: bearer)
            #expect(ssoAfter.status == 401)
            let sessionAfter = try await client.get("/auth", headers: bearer)
            #expect(sessionAfter.status == 401)
        }
    }

    @Test func baasSignOutRevokesTheGrantEverywhere() async throws {
        try await withLiveGateway { client in
            let token = try await Self.signIn(.baasSessionToken, client)
            let headers = [("X-Api-Key", TestConfiguration.apiKey), ("Authorization", "Bearer \(token)")]
            #expect(try await client.get("/v2/auth/verify", headers: headers).status == 200)
            let out = try await client.get("/v2/auth/signout", headers: headers)
            #expect(out.status == 200)
            #expect(out.text == "{}")
            #expect(try await client.get("/v2/auth/verify", headers: headers).status == 401)
            #expect(try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")]).status == 401)
        }
    }

    @Test func tamperedTicketOpensNothing() async throws {
        try await withLiveGateway { client in
            var ticket = Array(try await Self.signIn(.aspnetTicket, client))
            let i = ticket.count / 2
            ticket[i] = ticket[i] == "A" ? "B" : "A"
            let reply = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(String(ticket))")])
            #expect(reply.status == 401)
        }
    }

    @Test func jwksPublishesTheKeyThatSignsAccessTokens() async throws {
        try await withLiveGateway { client in
            let jwks = try await client.get("/.well-known/jwks.json")
            #expect(jwks.status == 200)
            guard case .array(let keys)? = jwks.json?["keys"] else { Issue.record("no keys"); return }
            #expect(keys.count == 1)
            #expect(keys[0]["kty"] == .string("EC"))
            #expect(keys[0]["alg"] == .string("ES256"))
        }
    }

    @Test func everyDialectAnswerCarriesARequestID() async throws {
        try await withLiveGateway { client in
            let mine = try await client.send("POST", "/api/v2/sso/signin/", headers: [("X-Request-Id", "abc-123")])
            #expect(mine.header("X-Request-Id") == "abc-123")
            let generated = try await client.send("POST", "/api/v2/sso/signin/", headers: [("X-Request-Id", "bad id with spaces")])
            #expect(generated.header("X-Request-Id")?.count == 36)
        }
    }

    @Test func healthAnswersOK() async throws {
        try await withLiveGateway { client in
            let reply = try await client.get("/healthz")
            #expect(reply.status == 200)
            #expect(reply.text == #"{"status":"ok"}"#)
        }
    }
}
