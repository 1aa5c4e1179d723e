import Dialects
import Foundation
import GatehouseCore
import Testing

/// Every malformed or refused request gets ServiceStack's exact status and `ResponseStatus` body.
@Suite struct ServiceStackBadInputTests {
    typealias F = ServiceStackFixtures

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var request: WireRequest
        var status: Int
        var body: String
        var testDescription: String { name }
    }

    static let missingUserName =
        #"{"ResponseStatus":{"ErrorCode":"ValidationException","Message":"'User Name' must not be empty.","Errors":[{"ErrorCode":"NotEmpty","FieldName":"UserName","Message":"'User Name' must not be empty."}]}}"#
    static let missingPassword =
        #"{"ResponseStatus":{"ErrorCode":"ValidationException","Message":"'Password' must not be empty.","Errors":[{"ErrorCode":"NotEmpty","FieldName":"Password","Message":"'Password' must not be empty."}]}}"#
    static let missingBoth =
        #"{"ResponseStatus":{"ErrorCode":"ValidationException","Message":"'User Name' must not be empty.","Errors":[{"ErrorCode":"NotEmpty","FieldName":"UserName","Message":"'User Name' must not be empty."},{"ErrorCode":"NotEmpty","FieldName":"Password","Message":"'Password' must not be empty."}]}}"#

    /// A secret member sent as something other than a string. ServiceStack quotes a value it cannot bind;
    /// Gatehouse leaves a secret's value out and names only the member.
    static func unboundSecret(_ member: String, at path: String, request: String) -> Case {
        Case(
            name: "\(member) not a string", request: F.postJSON(path, #"{"\#(member)":["hunter2"]}"#), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Unable to bind to request '\#(request)'","Errors":[{"ErrorCode":"SerializationException","FieldName":"\#(member)","Message":"Invalid value for '\#(member)'"}]}}"#)
    }

    static let unboundSecrets: [Case] = [
        unboundSecret("Password", at: "/auth", request: "Authenticate"),
        unboundSecret("AccessToken", at: "/auth", request: "Authenticate"),
        unboundSecret("AccessTokenSecret", at: "/auth", request: "Authenticate"),
        unboundSecret("RefreshToken", at: "/access-token", request: "GetAccessToken"),
    ]

    static let cases: [Case] = unboundSecrets + [
        Case(name: "missing UserName", request: F.postJSON("/auth/credentials", #"{"Password":"pw"}"#), status: 400, body: missingUserName),
        Case(name: "missing Password", request: F.postJSON("/auth", #"{"UserName":"ann"}"#), status: 400, body: missingPassword),
        Case(name: "blank UserName", request: F.postJSON("/auth", #"{"UserName":"  ","Password":"pw"}"#), status: 400, body: missingUserName),
        Case(name: "null UserName", request: F.postJSON("/auth", #"{"UserName":null,"Password":"pw"}"#), status: 400, body: missingUserName),
        Case(name: "empty object", request: F.postJSON("/auth", "{}"), status: 400, body: missingBoth),
        Case(name: "empty JSON body", request: F.postJSON("/auth", ""), status: 400, body: missingBoth),
        Case(name: "empty form", request: F.postForm("/auth", ""), status: 400, body: missingBoth),
        Case(name: "no content type, no body", request: F.request("POST", "/auth"), status: 400, body: missingBoth),
        Case(
            name: "camelCase missing fields", request: F.postJSON("/auth", #"{"userName":""}"#), status: 400,
            body: #"{"responseStatus":{"errorCode":"ValidationException","message":"'User Name' must not be empty.","errors":[{"errorCode":"NotEmpty","fieldName":"UserName","message":"'User Name' must not be empty."},{"errorCode":"NotEmpty","fieldName":"Password","message":"'Password' must not be empty."}]}}"#),
        Case(
            name: "malformed JSON", request: F.postJSON("/auth", #"{"UserName":"#), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Could not deserialize 'application/json' request using Authenticate"}}"#),
        Case(
            name: "JSON array", request: F.postJSON("/auth", #"["ann","pw"]"#), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Could not deserialize 'application/json' request using Authenticate"}}"#),
        Case(
            name: "form body without content type", request: F.request("POST", "/auth", body: "UserName=ann&Password=pw"), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Could not deserialize 'application/json' request using Authenticate"}}"#),
        Case(
            name: "malformed JSON on access-token", request: F.postJSON("/access-token", "null"), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Could not deserialize 'application/json' request using GetAccessToken"}}"#),
        Case(
            name: "RememberMe not a boolean", request: F.postForm("/auth", "UserName=ann&Password=pw&RememberMe=yes"), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Unable to bind to request 'Authenticate'","Errors":[{"ErrorCode":"SerializationException","FieldName":"RememberMe","Message":"'yes' is an Invalid value for 'RememberMe'"}]}}"#),
        Case(
            name: "wrong JSON types", request: F.postJSON("/auth", #"{"UserName":{"a":1},"Password":"pw","RememberMe":1}"#), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Unable to bind to request 'Authenticate'","Errors":[{"ErrorCode":"SerializationException","FieldName":"UserName","Message":"'{\"a\":1}' is an Invalid value for 'UserName'"},{"ErrorCode":"SerializationException","FieldName":"RememberMe","Message":"'1' is an Invalid value for 'RememberMe'"}]}}"#),
        Case(
            name: "Meta not a map", request: F.postJSON("/auth", #"{"UserName":"ann","Password":"pw","Meta":[1]}"#), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Unable to bind to request 'Authenticate'","Errors":[{"ErrorCode":"SerializationException","FieldName":"Meta","Message":"'[1]' is an Invalid value for 'Meta'"}]}}"#),
        Case(
            name: "UseTokenCookie not a boolean on access-token", request: F.postJSON("/access-token", #"{"RefreshToken":"r","UseTokenCookie":"maybe"}"#),
            status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"SerializationException","Message":"Unable to bind to request 'GetAccessToken'","Errors":[{"ErrorCode":"SerializationException","FieldName":"UseTokenCookie","Message":"'maybe' is an Invalid value for 'UseTokenCookie'"}]}}"#),
        Case(
            name: "multipart", request: F.request("POST", "/auth", headers: [("Content-Type", "multipart/form-data; boundary=x")], body: "--x--"),
            status: 415, body: #"{"ResponseStatus":{"ErrorCode":"NotSupportedException","Message":"Content-Type 'multipart/form-data' is not supported"}}"#),
        Case(
            name: "text/plain", request: F.request("POST", "/auth", headers: [("Content-Type", "text/plain")], body: "ann:pw"),
            status: 415, body: #"{"ResponseStatus":{"ErrorCode":"NotSupportedException","Message":"Content-Type 'text/plain' is not supported"}}"#),
        Case(
            name: "body too large", request: F.request("POST", "/auth", headers: [("Content-Type", "application/json")], tooLarge: true),
            status: 413, body: #"{"ResponseStatus":{"ErrorCode":"RequestEntityTooLarge","Message":"Request body is too large"}}"#),
        Case(
            name: "unknown provider", request: F.postJSON("/auth/facebook", #"{"UserName":"ann","Password":"pw"}"#), status: 404,
            body: #"{"ResponseStatus":{"ErrorCode":"NotFound","Message":"No configuration was added for OAuth provider 'facebook'"}}"#),
        Case(
            name: "unknown provider in body", request: F.postJSON("/auth", #"{"provider":"Twitter"}"#), status: 404,
            body: #"{"ResponseStatus":{"ErrorCode":"NotFound","Message":"No configuration was added for OAuth provider 'Twitter'"}}"#),
        Case(
            name: "password in a GET query", request: F.request("GET", "/auth/credentials?UserName=ann&Password=pw"), status: 405,
            body: #"{"ResponseStatus":{"ErrorCode":"NotSupportedException","Message":"GET Authenticate requests are disabled, to enable set AuthFeature.AllowGetAuthenticateRequests = req => true"}}"#),
        Case(
            name: "PUT", request: F.postJSON("/auth", "{}").with(method: "PUT"), status: 405,
            body: #"{"ResponseStatus":{"ErrorCode":"NotImplementedException","Message":"Could not find method named Put(Authenticate) or Any(Authenticate) on Service AuthenticateService"}}"#),
        Case(
            name: "missing refresh token", request: F.postJSON("/access-token", #"{"RefreshToken":""}"#), status: 400,
            body: #"{"ResponseStatus":{"ErrorCode":"ValidationException","Message":"'Refresh Token' must not be empty.","Errors":[{"ErrorCode":"NotEmpty","FieldName":"RefreshToken","Message":"'Refresh Token' must not be empty."}]}}"#),
    ]

    @Test(arguments: cases)
    func badInputGetsExactResponseStatus(_ c: Case) throws {
        let response = try #require(try F.directResponse(to: c.request))
        #expect(response.status == c.status)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.text == c.body)
    }

    @Test(arguments: unboundSecrets)
    func anUnboundSecretIsNotEchoed(_ c: Case) throws {
        let response = try #require(try F.directResponse(to: c.request))
        #expect(response.status == 400)
        #expect(!response.text.contains("hunter2"), "\(response.text)")
    }

    @Test func refusedMethodNamesTheAllowedOnes() throws {
        let response = try #require(try F.directResponse(to: F.request("DELETE", "/auth")))
        #expect(response.headers.entries.map { "\($0.name): \($0.value)" } == [
            "Content-Type: application/json; charset=utf-8", "Allow: GET, POST",
        ])
    }

    @Test func jsonpErrorIsAnsweredWithStatus200() throws {
        let response = try #require(try F.directResponse(to: F.postJSON("/auth?callback=cb", #"{"Password":"pw"}"#)))
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/javascript; charset=utf-8")
        #expect(response.text == "cb(\(Self.missingUserName))")
    }

    @Test func getIgnoresItsBody() throws {
        let call = try F.dialect().decode(
            F.request("GET", "/auth", headers: [("Content-Type", "text/plain")], body: "not read"))
        #expect(call?.action == .resolve(nil))
    }
}

extension WireRequest {
    /// The same request with another method.
    fileprivate func with(method: String) -> WireRequest {
        var copy = self
        copy.method = method
        return copy
    }
}
