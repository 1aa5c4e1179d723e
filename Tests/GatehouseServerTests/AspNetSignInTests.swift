import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// `POST /{route}/SignIn` over a real socket, against seed 000 (its excerpt in `GatehouseTesting/Seeds.swift`).
@Suite struct AspNetSignInTests {
    /// The seed's example answer, body only.
    static func seedAnswer() throws -> JSONValue {
        try #require(JSONValue.parse(Array(Seeds.aspNetSignInAnswerBody.utf8)))
    }

    @Test func signInAnswersTheDocumentShapeWithKatanaCookies() async throws {
        let seed = try Self.seedAnswer()
        try await withLiveGateway { client in
            let reply = try await client.post("/1/signin", json: #"{"UserName":"Admin","Password":"admin-pass","Remember":false}"#)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            #expect(reply.header("Cache-Control") == "no-cache")
            #expect(reply.header("Pragma") == "no-cache")
            #expect(reply.header("Expires") == "-1")
            let json = try #require(reply.json)
            #expect(shape(json) == shape(seed))
            #expect(reply.text.hasPrefix(#"{"UserInfo":{"UserName":"Admin","Roles":[{"Id":"7fce52a4-5fba-452d-be64-0a6f7c510a0b","DisplayName":"System administrator"}],"Logins":[],"Claims":[]},"ResponseCookies":[{"Comment":"","HttpOnly":false,"Discard":false,"Domain":"localhost","Expired":true,"Expires":"1970-01-01T00:00:00Z","Name":".AspNet.ExternalCookie","Path":"/","Port":"","Secure":false,"TimeStamp":""#))
            #expect(reply.text.hasSuffix(#","Version":0}],"IsValid":true}"#))
            #expect(reply.setCookies.count == 2)
            #expect(reply.setCookie(".AspNet.ExternalCookie") == ".AspNet.ExternalCookie=; path=/; expires=Thu, 01-Jan-1970 00:00:00 GMT; SameSite=Lax")
            let ticket = try #require(reply.cookie(".AspNet.ApplicationCookie"))
            #expect(ticket.count > 40)
            #expect(reply.setCookie(".AspNet.ApplicationCookie") == ".AspNet.ApplicationCookie=\(ticket); path=/; HttpOnly; SameSite=Lax")
            guard case .array(let cookies)? = json["ResponseCookies"] else { Issue.record("no ResponseCookies"); return }
            #expect(cookies[1]["Value"] == .string(ticket))
            #expect(cookies[1]["Expires"] == .string("0001-01-01T00:00:00"))
            #expect(cookies[1]["HttpOnly"] == .bool(true))
        }
    }

    @Test func rememberedSignInGetsAPersistentCookie() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/1/SignIn", json: #"{"UserName":"admin@example.com","Password":"admin-pass","Remember":true}"#)
            #expect(reply.status == 200)
            let header = try #require(reply.setCookie(".AspNet.ApplicationCookie"))
            #expect(header.contains("; expires="))
            #expect(header.hasSuffix(" GMT; HttpOnly; SameSite=Lax"))
            let expires = try #require(reply.json?["ResponseCookies"].flatMap { v -> JSONValue? in
                if case .array(let items) = v { return items[1]["Expires"] } else { return nil }
            })
            #expect(expires != .string("0001-01-01T00:00:00"))
        }
    }

    @Test func wrongPasswordIsNotValidAndSetsNoCookie() async throws {
        try await withLiveGateway { client in
            for body in [#"{"UserName":"Admin","Password":"nope"}"#, #"{"UserName":"ghost","Password":"admin-pass"}"#,
                         #"{"UserName":"inactive","Password":"inactive-pass"}"#] {
                let reply = try await client.post("/1/signin", json: body)
                #expect(reply.status == 200)
                #expect(reply.text == #"{"UserInfo":null,"ResponseCookies":[],"IsValid":false}"#)
                #expect(reply.setCookies.isEmpty)
            }
        }
    }

    @Test func unknownRouteIsNotFound() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/7/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            #expect(reply.status == 404)
            #expect(reply.text == #"{"Message":"No HTTP resource was found that matches the request URI '/7/SignIn'."}"#)
        }
    }

    @Test(arguments: [
        ("GET", nil, "", 405, #"{"Message":"The requested resource does not support http method 'GET'."}"#),
        ("POST", "application/json", "", 400, #"{"Message":"The request is invalid.","ModelState":{"model":["The request body is required."]}}"#),
        ("POST", "application/json", "{\"UserName\":", 400, #"{"Message":"The request is invalid.","ModelState":{"model":["The request body is not a valid JSON object."]}}"#),
        ("POST", "application/json", "[1,2]", 400, #"{"Message":"The request is invalid.","ModelState":{"model":["The request body is not a valid JSON object."]}}"#),
        ("POST", "application/json", #"{"Password":"x"}"#, 400, #"{"Message":"The request is invalid.","ModelState":{"model.UserName":["The UserName field is required."]}}"#),
        ("POST", "application/json", #"{"UserName":5,"Password":"x","Remember":"yes"}"#, 400, #"{"Message":"The request is invalid.","ModelState":{"model.UserName":["The UserName field must be a string."],"model.Remember":["The Remember field must be true or false."]}}"#),
        ("POST", "text/xml", "<x/>", 415, #"{"Message":"The request entity's media type 'text/xml' is not supported for this resource."}"#),
    ] as [(String, String?, String, Int, String)])
    func badInputGetsWebAPIErrors(method: String, contentType: String?, body: String, status: Int, expected: String) async throws {
        try await withLiveGateway { client in
            let headers = contentType.map { [("Content-Type", $0)] } ?? []
            let reply = try await client.send(method, "/1/signin", headers: headers, body: Array(body.utf8))
            #expect(reply.status == status)
            #expect(reply.text == expected)
        }
    }

    @Test func aMebibyteBodyIsRefusedAsTooLarge() async throws {
        try await withLiveGateway { client in
            let body = #"{"UserName":""# + String(repeating: "a", count: 1 << 20) + #""}"#
            let reply = try await client.post("/1/signin", json: body)
            #expect(reply.status == 413)
            #expect(reply.text == #"{"Message":"The request entity is too large."}"#)
        }
    }
}
