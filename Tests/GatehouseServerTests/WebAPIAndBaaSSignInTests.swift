import Foundation
import GatehouseCore
import GatehouseTesting
import JWTKit
import Testing

/// Web API (seed 002) and BaaS (seed 003) sign-ins over a real socket.
@Suite struct WebAPIAndBaaSSignInTests {
    static let xmlCredentials = #"<ClientCredentials xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models"><client_id>admin@example.com</client_id><client_secret>admin-pass</client_secret><grant_type>password</grant_type></ClientCredentials>"#

    @Test func jsonSignInReturnsAJWTThatTheJWKSVerifies() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            let token = try #require(reply.json?["access_token"]?.stringValue)
            #expect(reply.text == #"{"token_type":"bearer","access_token":"\#(token)","expires_in":3600,"ClassVer":1,"WebApiVersion":{"Major":1,"Minor":3,"Build":0},"ApiKeyHolder":null}"#)

            struct Claims: JWTPayload {
                var sub: SubjectClaim
                var email: String
                var unique_name: String
                var role: [String]
                var iss: IssuerClaim
                var aud: AudienceClaim
                var exp: ExpirationClaim
                var nbf: NotBeforeClaim
                var jti: IDClaim
                func verify(using algorithm: some JWTAlgorithm) throws { try exp.verifyNotExpired() }
            }
            let jwks = try await client.get("/.well-known/jwks.json")
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks.text)
            let claims = try await keys.verify(token, as: Claims.self)
            #expect(claims.sub.value == "a564ef59-085b-4803-b514-37288e32709e")
            #expect(claims.email == "admin@example.com")
            #expect(claims.unique_name == "Admin")
            #expect(claims.role == ["admin"])
            #expect(claims.iss.value == "gatehouse-test")
            #expect(claims.aud.value == ["legacy-apps"])
        }
    }

    @Test func xmlAndFormBodiesSignInAndXMLIsAnsweredWhenAsked() async throws {
        try await withLiveGateway { client in
            let xml = try await client.send("POST", "/api/Account/SignIn",
                headers: [("Content-Type", "text/xml"), ("Accept", "application/xml")], body: Array(Self.xmlCredentials.utf8))
            #expect(xml.status == 200)
            #expect(xml.text.hasPrefix(#"<AuthenticationResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models"><ApiKeyHolder i:nil="true"/><ClassVer>1</ClassVer><WebApiVersion><Build>0</Build><Major>1</Major><Minor>3</Minor></WebApiVersion><access_token>"#))
            #expect(xml.text.hasSuffix("</access_token><expires_in>3600</expires_in><token_type>bearer</token_type></AuthenticationResponse>"))

            let form = try await client.send("POST", "/api/account/signin",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("grant_type=password&client_id=editor%40example.com&client_secret=editor-pass".utf8))
            #expect(form.status == 200)
            #expect(form.json?["token_type"] == .string("bearer"))
        }
    }

    @Test(arguments: [
        ("application/json", #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"wrong"}"#, 401,
         #"{"Message":"Authorization has been denied for this request."}"#),
        ("application/json", #"{"grant_type":"password","client_id":"ghost@example.com","client_secret":"admin-pass"}"#, 401,
         #"{"Message":"Authorization has been denied for this request."}"#),
        ("application/json", "", 400, #"{"Message":"The request is invalid.","ModelState":{"credentials":["The credentials field is required."]}}"#),
        ("application/json", #"{"grant_type":5}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.grant_type":["Error converting value to type 'System.String'. Path 'grant_type'."],"credentials.client_id":["The client_id field is required."],"credentials.client_secret":["The client_secret field is required."]}}"#),
        ("application/json", #"{"grant_type":"client","client_id":"nope","client_secret":"x"}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.grant_type":["grant_type must be password"],"credentials.client_id":["The field client_id must match the regular expression '^([\\w\\.\\-]+)@([\\w\\-]+)((\\.(\\w){2,3})+)$'."]}}"#),
        ("application/xml", #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><ClientCredentials xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models"><client_id>&lol2;</client_id></ClientCredentials>"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials":["For security reasons DTD is prohibited in this XML document."]}}"#),
        ("text/plain", "x", 415, #"{"Message":"The request entity's media type 'text/plain' is not supported for this resource."}"#),
    ] as [(String, String, Int, String)])
    func webAPIBadInput(contentType: String, body: String, status: Int, expected: String) async throws {
        try await withLiveGateway { client in
            let reply = try await client.send("POST", "/api/Account/SignIn", headers: [("Content-Type", contentType)], body: Array(body.utf8))
            #expect(reply.status == status)
            #expect(reply.text == expected)
        }
    }

    @Test func webAPIMebibyteBodyIsTooLarge() async throws {
        try await withLiveGateway { client in
            let reply = try await client.post("/api/Account/SignIn", json: String(repeating: " ", count: 1 << 20))
            #expect(reply.status == 413)
            #expect(reply.text == #"{"Message":"The request entity is too large."}"#)
        }
    }

    static let apiKey = [("X-Api-Key", TestConfiguration.apiKey)]

    @Test func baasSignInReturnsTheDocumentUserAndANewTokenEachTime() async throws {
        try await withLiveGateway { client in
            var tokens: Set<String> = []
            for _ in 0..<2 {
                let reply = try await client.post("/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#,
                    headers: Self.apiKey + [("Authorization", "Bearer 0c7f26c8-5b4a-4a32-b35a-2e249448bbf2"), ("Accept", "application/json")])
                #expect(reply.status == 200)
                let token = try #require(reply.json?["sessionToken"]?.stringValue)
                #expect(token.utf8.count >= 22)
                tokens.insert(token)
                #expect(reply.text == #"{"email":{"primary":"admin@example.com","secondary":"secondary@email.com","work":"work@email.com","other":"other@email.com"},"name":{"prefix":"prefix","firstName":"first name","middleName":"middle name","lastName":"last name","maidenName":"maiden name","suffix":"jr"},"extras":{"extra1":"value1","extra2":"value2"},"usersId":"a564ef59-085b-4803-b514-37288e32709e","username":"Admin","active":true,"createdAt":"2013-11-07T12:00:00Z","updatedAt":"2013-11-07T12:00:00Z","sessionToken":"\#(token)"}"#)
            }
            #expect(tokens.count == 2)
        }
    }

    @Test(arguments: [
        ([("Content-Type", "application/json")], #"{"username":"Admin","password":"admin-pass"}"#, 401, #"[{"code":401,"message":"Missing X-Api-Key header"}]"#),
        ([("Content-Type", "application/json"), ("X-Api-Key", "wrong")], "{}", 401, #"[{"code":401,"message":"Invalid API key"}]"#),
        ([("Content-Type", "application/json"), ("X-Api-Key", TestConfiguration.apiKey)], #"{"username":"Admin","password":"bad"}"#, 401, #"[{"code":401,"message":"Invalid username or password"}]"#),
        ([("Content-Type", "application/json"), ("X-Api-Key", TestConfiguration.apiKey)], #"{"username":5}"#, 400, #"[{"code":400,"message":"username must be a string"},{"code":400,"message":"password is required"}]"#),
        ([("Content-Type", "application/json"), ("X-Api-Key", TestConfiguration.apiKey)], "{bad", 400, #"[{"code":400,"message":"Request body must be a JSON object"}]"#),
        ([("Content-Type", "text/xml"), ("X-Api-Key", TestConfiguration.apiKey)], "<a/>", 415, #"[{"code":415,"message":"Content-Type must be application/json"}]"#),
    ] as [([(String, String)], String, Int, String)])
    func baasBadInput(headers: [(String, String)], body: String, status: Int, expected: String) async throws {
        try await withLiveGateway { client in
            let reply = try await client.send("POST", "/v2/auth/signin", headers: headers, body: Array(body.utf8))
            #expect(reply.status == status)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            #expect(reply.text == expected)
        }
    }
}
