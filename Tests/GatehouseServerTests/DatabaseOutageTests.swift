import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// The database stopped under a running gateway: every door answers its own 503, readiness fails, nothing
/// crashes, nothing falls back to memory, and the gateway recovers by itself when the database returns.
@Suite struct DatabaseOutageTests {
    static let rightPassword: [DialectID: (String, String)] = [
        .aspnet: ("/1/SignIn", #"{"UserName":"Admin","Password":"admin-pass"}"#),
        .webapi: ("/api/Account/SignIn", #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#),
        .baas: ("/v2/auth/signin", #"{"username":"Admin","password":"admin-pass"}"#),
        .servicestack: ("/auth/credentials", #"{"UserName":"Admin","Password":"admin-pass"}"#),
    ]

    static func signIn(_ dialect: DialectID, on client: GatewayClient) async throws -> Reply {
        let (path, body) = try #require(rightPassword[dialect])
        return try await client.post(path, json: body, headers: [("X-Api-Key", TestConfiguration.apiKey)])
    }

    @Test func everyDoorAnswersItsOwn503WhileTheDatabaseIsDownThenRecovers() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.remove() }
        var config = try TestConfiguration.make()
        // 10 s: long enough for a machine loaded by the whole suite to migrate (5 × 10 s) and answer; a call
        // to the stopped database still ends in 503 within it.
        config.store = StoreSettings(type: .postgres, url: postgres.url, timeoutSeconds: 10)
        try await withLiveGateway(config) { client in
            // Up: every door signs in (a machine busy with the rest of the suite may need a second try).
            for dialect in Self.rightPassword.keys {
                #expect(try await eventually(within: .seconds(60), every: .milliseconds(200)) {
                    try await Self.signIn(dialect, on: client).status == 200
                }, "\(dialect) does not sign in while the database is up")
            }
            let ready = try await client.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.text == #"{"status":"ready","checks":{"store":"ok","configuration":"ok"}}"#)
            // Signed in, never presented yet: checking it must ask the database.
            let token = try await OneIdentityManyDoorsTests.signIn(.baasSessionToken, client)

            try postgres.stop()
            let unready = try await client.get("/readyz")
            #expect(unready.status == 503)
            #expect(unready.text == #"{"status":"unavailable","checks":{"store":"unreachable","configuration":"ok"}}"#)
            for dialect in Self.rightPassword.keys {
                let reply = try await Self.signIn(dialect, on: client)
                #expect(reply.status == 503, "\(dialect): \(reply.text)")
                #expect(reply.text == UpstreamMatrixTests.unavailableBody(dialect), "\(dialect)")
            }
            let sso = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
            #expect(sso.status == 503)
            #expect(sso.text == UpstreamMatrixTests.unavailableBody(.sso))

            try postgres.start()
            let recovered = try await eventually(within: .seconds(30), every: .milliseconds(200)) {
                try await Self.signIn(.webapi, on: client).status == 200
            }
            #expect(recovered)
            #expect(try await client.get("/readyz").status == 200)
            let again = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
            #expect(again.status == 200)
            #expect(again.text == OneIdentityManyDoorsTests.adminSSO)
        }
    }
}
