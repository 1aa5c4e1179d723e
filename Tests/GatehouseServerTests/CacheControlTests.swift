import GatehouseCore
import GatehouseTesting
import Testing

/// Answers carrying a token or a session cookie are never stored by a cache; the ASP.NET door keeps
/// the headers Katana's cookie middleware writes.
@Suite struct CacheControlTests {
    @Test func tokenAndSessionAnswersAreNoStoreAtEveryDoorButASPNet() async throws {
        try await withLiveGateway { client in
            let webAPI = try await client.post(
                "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#)
            #expect(webAPI.status == 200)
            #expect(webAPI.header("Cache-Control") == "no-store")
            #expect(webAPI.header("Pragma") == "no-cache")

            let baas = try await client.post(
                "/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#, headers: [("X-Api-Key", TestConfiguration.apiKey)])
            #expect(baas.status == 200)
            #expect(baas.header("Cache-Control") == "no-store")

            let serviceStack = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            #expect(serviceStack.status == 200)
            #expect(serviceStack.header("Cache-Control") == "no-store")
            let refresh = try #require(serviceStack.json?["RefreshToken"]?.stringValue)
            let renewed = try await client.post("/access-token", json: #"{"RefreshToken":"\#(refresh)"}"#)
            #expect(renewed.status == 200)
            #expect(renewed.header("Cache-Control") == "no-store")

            let aspNet = try await client.post("/1/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            #expect(aspNet.status == 200)
            #expect(aspNet.header("Cache-Control") == "no-cache")
            #expect(aspNet.header("Pragma") == "no-cache")
            #expect(aspNet.header("Expires") == "-1")
        }
    }

    @Test func refusalsCarryNoCacheDirectiveOfTheirOwn() async throws {
        try await withLiveGateway { client in
            let webAPI = try await client.post(
                "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"nope"}"#)
            #expect(webAPI.status == 401)
            #expect(webAPI.header("Cache-Control") == nil)
        }
    }
}
