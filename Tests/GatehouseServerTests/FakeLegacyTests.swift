import Foundation
import GatehouseCore
import GatehouseTesting
import Testing
import Upstream

/// The fake legacy systems answer as their seed documents show, spoken to directly over HTTP.
@Suite struct FakeLegacyTests {
    /// One request to a fake on `port`. Its 30 s timeout only bounds a hang: the 5 s default was overrun
    /// on a loaded machine, and nothing here is about time.
    static func send(
        _ method: String, _ port: Int, _ path: String, headers: [(String, String)] = [], json: String? = nil
    ) async throws -> UpstreamResponse {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let type = json == nil ? [] : [("Content-Type", "application/json")]
        return try await client.send(UpstreamRequest(
            method: method, url: "http://127.0.0.1:\(port)\(path)", headers: type + headers, body: json.map { Array($0.utf8) } ?? [], timeoutSeconds: 30))
    }

    static func text(_ response: UpstreamResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func aspNetRefusalIsValidFalseAndSuccessSetsTheApplicationCookieItReports() async throws {
        let fake = FakeAspNetLegacy()
        try await fake.run { port in
            let wrong = try await Self.send("POST", port, "/1/signin", json: #"{"UserName":"Admin","Password":"nope"}"#)
            #expect(wrong.status == 200)
            #expect(Self.text(wrong) == #"{"UserInfo":null,"ResponseCookies":[],"IsValid":false}"#)
            let good = try await Self.send("POST", port, "/node2/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass","Remember":true}"#)
            #expect(good.status == 200)
            let json = try #require(JSONValue.parse(good.body))
            #expect(json["UserInfo"]?["UserName"] == .string("Admin"))
            let cookie = good.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix(".AspNet.ApplicationCookie=") }?.1
            let reported = json["ResponseCookies"].flatMap { cookies -> String? in
                guard case .array(let list) = cookies else { return nil }
                return list.first { $0["Name"] == .string(".AspNet.ApplicationCookie") }?["Value"]?.stringValue
            }
            let value = try #require(reported)
            #expect(cookie == ".AspNet.ApplicationCookie=\(value); path=/; HttpOnly")
            #expect(fake.legacy.isLive(value))
        }
    }

    @Test func ssoAnswersTheUserOfAKnownTokenAnd401Otherwise() async throws {
        try await FakeSSOLegacy().run { port in
            let admin = try await Self.send("POST", port, "/api/v2/sso/signin/", headers: [("Authorization", "Bearer sso-token-admin")])
            #expect(Self.text(admin) == #"{"id":1,"ext_id":1001,"username":"Admin","role":"admin","tags":[7,9]}"#)
            let editor = try await Self.send("POST", port, "/api/v2/sso/signin", headers: [("Authorization", "Bearer sso-token-editor")])
            #expect(Self.text(editor) == #"{"id":2,"ext_id":null,"username":"editor","role":"editor","tags":[2]}"#)
            let unknown = try await Self.send("POST", port, "/api/v2/sso/signin/", headers: [("Authorization", "Bearer sso-token-ghost")])
            #expect(unknown.status == 401)
            #expect(Self.text(unknown) == #"{"detail":"Invalid token."}"#)
            let missing = try await Self.send("POST", port, "/api/v2/sso/signin/")
            #expect(missing.status == 401)
            #expect(Self.text(missing) == #"{"detail":"Authentication credentials were not provided."}"#)
        }
    }

    @Test func webAPIWantsAnEmailAndAnswersAJWTInJSONOrXML() async throws {
        try await FakeWebAPILegacy().run { port in
            let byName = try await Self.send(
                "POST", port, "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"Admin","client_secret":"admin-pass"}"#)
            #expect(byName.status == 400)
            #expect(Self.text(byName)
                == #"{"Message":"The request is invalid.","ModelState":{"credentials.client_id":["The client_id field is not a valid e-mail address."]}}"#)
            let wrong = try await Self.send(
                "POST", port, "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"x"}"#)
            #expect(wrong.status == 401)
            #expect(Self.text(wrong) == #"{"Message":"Authorization has been denied for this request."}"#)
            let good = try await Self.send(
                "POST", port, "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#)
            let token = try #require(JSONValue.parse(good.body)?["access_token"]?.stringValue)
            let claims = try #require(UpstreamMatrixTests.jwtClaims(token))
            #expect(claims["unique_name"] == .string("Admin"))
            #expect(claims["role"] == .string("admin"))
            let xml = try await Self.send(
                "POST", port, "/api/Account/SignIn", headers: [("Accept", "application/xml")],
                json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"editor-pass"}"#)
            #expect(Self.text(xml).hasPrefix(#"<AuthenticationResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance""#))
            #expect(Self.text(xml).hasSuffix("<expires_in>3600</expires_in><token_type>bearer</token_type></AuthenticationResponse>"))
        }
    }

    @Test func baasSignOutInvalidatesTheSessionToken() async throws {
        let fake = FakeBaaSLegacy(apiKey: TestConfiguration.apiKey)
        try await fake.run { port in
            let key = [("X-Api-Key", TestConfiguration.apiKey)]
            let noKey = try await Self.send("POST", port, "/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#)
            #expect(noKey.status == 401)
            #expect(Self.text(noKey) == #"[{"code":401,"message":"Missing X-Api-Key header"}]"#)
            let good = try await Self.send("POST", port, "/v2/auth/signin", headers: key, json: #"{"username":"Admin","password":"admin-pass"}"#)
            let json = try #require(JSONValue.parse(good.body))
            #expect(json["usersId"] == .string(FakeUser.admin.uuid))
            #expect(json["email"]?["primary"] == .string("admin@example.com"))
            let token = try #require(json["sessionToken"]?.stringValue)
            let out = try await Self.send("GET", port, "/v2/auth/signout", headers: key + [("Authorization", "Bearer \(token)")])
            #expect(out.status == 200)
            let again = try await Self.send("GET", port, "/v2/auth/signout", headers: key + [("Authorization", "Bearer \(token)")])
            #expect(again.status == 401)
            #expect(Self.text(again) == #"[{"code":401,"message":"Invalid session token"}]"#)
        }
    }

    @Test func serviceStackGetAuthAnswersTheSessionOfABearerOrSessionIdUntilLogout() async throws {
        try await FakeServiceStackLegacy().run { port in
            let wrong = try await Self.send("POST", port, "/auth/credentials", json: #"{"userName":"admin","password":"x"}"#)
            #expect(wrong.status == 401)
            #expect(Self.text(wrong) == #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Invalid UserName or Password"}}"#)
            let good = try await Self.send("POST", port, "/auth/credentials", json: #"{"userName":"admin","password":"admin-pass"}"#)
            let json = try #require(JSONValue.parse(good.body))
            let bearer = try #require(json["BearerToken"]?.stringValue)
            let session = try #require(json["SessionId"]?.stringValue)
            let expected = #"{"UserId":"1","SessionId":"\#(session)","UserName":"Admin","DisplayName":"System administrator","Roles":["admin"],"Permissions":[]}"#
            let byBearer = try await Self.send("GET", port, "/auth", headers: [("Authorization", "Bearer \(bearer)")])
            #expect(Self.text(byBearer) == expected)
            let byCookie = try await Self.send("GET", port, "/auth", headers: [("Cookie", "ss-id=\(session)")])
            #expect(Self.text(byCookie) == expected)
            let out = try await Self.send("POST", port, "/auth/logout", headers: [("Cookie", "ss-id=\(session)")])
            #expect(out.status == 200)
            let after = try await Self.send("GET", port, "/auth", headers: [("Authorization", "Bearer \(bearer)")])
            #expect(after.status == 401)
            #expect(Self.text(after) == #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Not Authenticated"}}"#)
        }
    }
}
