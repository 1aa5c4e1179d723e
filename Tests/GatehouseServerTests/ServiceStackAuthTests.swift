import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// ServiceStack's `Authenticate` service (seed 004) over a real socket.
@Suite struct ServiceStackAuthTests {
    @Test func credentialsSignInAnswersAuthenticateResponseWithCookies() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass","RememberMe":true}"#,
                                              headers: [("Accept", "application/json")])
            #expect(reply.status == 200)
            let json = try #require(reply.json)
            let ssid = try #require(reply.cookie("ss-id"))
            let bearer = try #require(json["BearerToken"]?.stringValue)
            let refresh = try #require(json["RefreshToken"]?.stringValue)
            #expect(reply.text.hasPrefix(#"{"UserId":"1","SessionId":"\#(ssid)","UserName":"Admin","DisplayName":"System administrator","BearerToken":"\#(bearer)","RefreshToken":"\#(refresh)","RefreshTokenExpiry":"\/Date("#))
            #expect(reply.text.hasSuffix(#")\/","Roles":["admin"],"Permissions":["users.manage"]}"#))
            #expect(reply.setCookie("ss-id") == "ss-id=\(ssid); path=/; HttpOnly; SameSite=Lax")
            #expect(reply.setCookie("ss-opt")?.hasPrefix("ss-opt=perm; path=/; expires=") == true)
            #expect(reply.setCookie("ss-pid")?.hasSuffix("; HttpOnly; SameSite=Lax") == true)

            let session = try await client.get("/auth", headers: [("Cookie", "ss-id=\(ssid)")])
            #expect(session.status == 200)
            #expect(session.json?["SessionId"] == .string(ssid))
            #expect(session.json?["UserName"] == .string("Admin"))

            let renewed = try await client.post("/access-token", json: #"{"RefreshToken":"\#(refresh)"}"#)
            #expect(renewed.status == 200)
            let access = try #require(renewed.json?["AccessToken"]?.stringValue)
            #expect(try await client.get("/auth", headers: [("Authorization", "Bearer \(access)")]).status == 200)

            let logout = try await client.get("/auth/logout", headers: [("Cookie", "ss-id=\(ssid)")])
            #expect(logout.status == 200)
            #expect(logout.text == "{}")
            #expect(logout.setCookie("ss-id")?.contains("expires=Thu, 01 Jan 1970 00:00:00 GMT") == true)
            #expect(try await client.get("/auth", headers: [("Cookie", "ss-id=\(ssid)")]).status == 401)
            #expect(try await client.get("/auth", headers: [("Authorization", "Bearer \(access)")]).status == 401)
            #expect(try await client.post("/access-token", json: #"{"RefreshToken":"\#(refresh)"}"#).status == 400)
        }
    }

    @Test(arguments: [
        (#"{"UserName":"Admin","Password":"admin-pass"}"#, [(String, String)](), "temp", 401),
        (#"{"UserName":"Admin","Password":"admin-pass","RememberMe":false}"#, [], "temp", 401),
        (#"{"UserName":"Admin","Password":"admin-pass","RememberMe":true}"#, [], "perm", 200),
        (#"{"UserName":"Admin","Password":"admin-pass"}"#, [("Cookie", "ss-opt=perm")], "perm", 200),
    ])
    func permanentIDOpensTheSessionOnlyForAPersistentSignIn(body: String, headers: [(String, String)], option: String, status: Int) async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/auth/credentials", json: body, headers: headers)
            #expect(reply.status == 200)
            #expect(reply.cookie("ss-opt") == option)
            let pid = try #require(reply.cookie("ss-pid"))
            #expect(pid.count == 20)
            // The browser session ended: only the long-lived cookies are left.
            let session = try await client.get("/auth", headers: [("Cookie", "ss-pid=\(pid); ss-opt=\(option)")])
            #expect(session.status == status)
        }
    }

    @Test func camelCaseRequestsGetCamelCaseAnswers() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/json/reply/Authenticate", json: #"{"provider":"credentials","userName":"editor","password":"editor-pass"}"#)
            #expect(reply.status == 200)
            #expect(reply.text.hasPrefix(#"{"userId":"2","sessionId":""#))
            let form = try await client.send("POST", "/api/Authenticate?jsconfig=TextCase:CamelCase",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array("UserName=editor&Password=editor-pass".utf8))
            #expect(form.text.hasPrefix(#"{"userId":"2","sessionId":""#))
        }
    }

    @Test(arguments: [
        ("POST", "/auth/credentials", #"{"UserName":"Admin","Password":"bad"}"#, 401, #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Invalid Username or Password"}}"#),
        ("POST", "/auth/credentials", "{}", 400, #"{"ResponseStatus":{"ErrorCode":"ValidationException","Message":"'User Name' must not be empty.","Errors":[{"ErrorCode":"NotEmpty","FieldName":"UserName","Message":"'User Name' must not be empty."},{"ErrorCode":"NotEmpty","FieldName":"Password","Message":"'Password' must not be empty."}]}}"#),
        ("POST", "/auth/credentials", "{bad", 400, #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Could not deserialize 'application/json' request using Authenticate"}}"#),
        ("GET", "/auth/credentials?UserName=Admin&Password=admin-pass", "", 405, #"{"ResponseStatus":{"ErrorCode":"NotSupportedException","Message":"GET Authenticate requests are disabled, to enable set AuthFeature.AllowGetAuthenticateRequests = req => true"}}"#),
        ("GET", "/auth", "", 401, #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Not Authenticated"}}"#),
        ("GET", "/auth?callback=cb", "", 200, #"cb({"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Not Authenticated"}})"#),
        ("POST", "/access-token", #"{"RefreshToken":"nope"}"#, 400, #"{"ResponseStatus":{"ErrorCode":"ArgumentException","Message":"RefreshToken is Invalid"}}"#),
    ] as [(String, String, String, Int, String)])
    func badInputGetsResponseStatus(method: String, uri: String, body: String, status: Int, expected: String) async throws {
        try await withLiveGateway { client in
            let reply = try await client.send(method, uri, headers: body.isEmpty ? [] : [("Content-Type", "application/json")],
                                              body: body.isEmpty ? nil : Array(body.utf8))
            #expect(reply.status == status)
            #expect(reply.text == expected)
        }
    }

    @Test func mebibyteBodyIsRefusedInServiceStackShape() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/auth/credentials", json: #"{"UserName":""# + String(repeating: "a", count: 1 << 20) + #""}"#)
            #expect(reply.status == 413)
            #expect(reply.text.hasPrefix(#"{"ResponseStatus":{"ErrorCode":"#))
        }
    }
}
