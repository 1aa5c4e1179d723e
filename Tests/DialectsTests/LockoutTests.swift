import Dialects
import GatehouseCore
import Testing

private typealias F = WebAPIBaaSFixtures

/// `AuthFailure.lockedOut`: 429 and `Retry-After` at every door, each body in its dialect's own error shape.
@Suite struct LockoutTests {
    private static let locked = DialectResult.failed(.lockedOut(retryAfterSeconds: 900))
    private static let json = "Content-Type: application/json; charset=utf-8"

    private func call(_ dialect: any Dialect, _ request: WireRequest) throws -> DialectCall {
        try #require(dialect.decode(request))
    }

    @Test func aspNetAnswersTheRefusalBodyWith429() throws {
        let dialect = AspNetDialect(settings: try F.config().dialects.aspnet)
        let call = try call(dialect, F.request(
            "POST", "/1/SignIn", headers: [("Content-Type", "application/json")], body: #"{"UserName":"ann","Password":"pw"}"#))
        let response = dialect.encode(Self.locked, for: call)
        #expect(response.status == 429)
        #expect(F.pairs(response.headers) == [
            Self.json, "Cache-Control: no-cache", "Pragma: no-cache", "Expires: -1", "Retry-After: 900",
        ])
        #expect(response.text == #"{"UserInfo":null,"ResponseCookies":[],"IsValid":false}"#)
    }

    @Test func ssoAnswersDjangoRESTFrameworksThrottledDetail() throws {
        let dialect = SSODialect(settings: try F.config().dialects.sso)
        let call = try call(dialect, F.request("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer t")]))
        let response = dialect.encode(Self.locked, for: call)
        #expect(response.status == 429)
        #expect(F.pairs(response.headers) == [Self.json, "Retry-After: 900"])
        #expect(response.text == #"{"detail":"Request was throttled. Expected available in 900 seconds."}"#)
        let oneSecond = dialect.encode(.failed(.lockedOut(retryAfterSeconds: 1)), for: call)
        #expect(oneSecond.text == #"{"detail":"Request was throttled. Expected available in 1 second."}"#)
    }

    @Test(arguments: [
        (ReplyStyle.Format.json, "Content-Type: application/json; charset=utf-8",
         #"{"Message":"Too many failed sign-in attempts. Try again in 900 seconds."}"#),
        (.xml, "Content-Type: application/xml; charset=utf-8",
         "<Error><Message>Too many failed sign-in attempts. Try again in 900 seconds.</Message></Error>"),
    ])
    func webAPIAnswersAnHttpErrorWith429(format: ReplyStyle.Format, contentType: String, body: String) throws {
        let dialect = try F.webAPI()
        let signIn = SignInRequest(credential: .password(login: "ann@example.com", secret: "pw"), dialect: .webapi)
        let response = dialect.encode(Self.locked, for: DialectCall(.signIn(signIn), reply: ReplyStyle(format: format)))
        #expect(response.status == 429)
        #expect(F.pairs(response.headers) == [contentType, "Retry-After: 900"])
        #expect(response.text == body)
    }

    @Test func baasAnswersItsErrorArrayWith429() throws {
        let dialect = try F.baas()
        let call = try call(dialect, F.request(
            "POST", "/v2/auth/signin", headers: [("X-Api-Key", F.apiKey), ("Content-Type", "application/json")],
            body: #"{"username":"ann","password":"pw"}"#))
        let response = dialect.encode(Self.locked, for: call)
        #expect(response.status == 429)
        #expect(F.pairs(response.headers) == [Self.json, "Retry-After: 900"])
        #expect(response.text == #"[{"code":429,"message":"Too many failed sign-in attempts. Try again in 900 seconds."}]"#)
    }

    @Test(arguments: [
        (#"{"UserName":"ann","Password":"pw"}"#,
         #"{"ResponseStatus":{"ErrorCode":"TooManyRequests","Message":"Too many failed sign-in attempts. Try again in 900 seconds."}}"#),
        (#"{"userName":"ann","password":"pw"}"#,
         #"{"responseStatus":{"errorCode":"TooManyRequests","message":"Too many failed sign-in attempts. Try again in 900 seconds."}}"#),
    ])
    func serviceStackAnswersAResponseStatusWith429(body: String, expected: String) throws {
        let dialect = try ServiceStackFixtures.dialect()
        let call = try call(dialect, ServiceStackFixtures.postJSON("/auth/credentials", body))
        let response = dialect.encode(Self.locked, for: call)
        #expect(response.status == 429)
        #expect(F.pairs(response.headers) == [Self.json, "Retry-After: 900"])
        #expect(response.text == expected)
    }

    @Test func serviceStackJSONPKeepsStatus200ButStillSaysWhenToRetry() throws {
        let dialect = try ServiceStackFixtures.dialect()
        let call = try call(dialect, ServiceStackFixtures.postJSON("/auth?callback=cb", #"{"UserName":"ann","Password":"pw"}"#))
        let response = dialect.encode(Self.locked, for: call)
        #expect(response.status == 200)
        #expect(F.pairs(response.headers) == ["Content-Type: text/javascript; charset=utf-8", "Retry-After: 900"])
        #expect(response.text.hasPrefix(#"cb({"ResponseStatus":{"ErrorCode":"TooManyRequests""#))
    }

    @Test func aWaitAlreadyOverIsSentAsZero() throws {
        let dialect = try F.baas()
        let call = try call(dialect, F.request(
            "POST", "/v2/auth/signin", headers: [("X-Api-Key", F.apiKey), ("Content-Type", "application/json")],
            body: #"{"username":"ann","password":"pw"}"#))
        let response = dialect.encode(.failed(.lockedOut(retryAfterSeconds: -5)), for: call)
        #expect(response.headers["Retry-After"] == "0")
    }
}
