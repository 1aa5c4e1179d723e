import Dialects
import Foundation
import GatehouseCore
import Testing

/// Encoding: exact status, headers and bytes of every outcome.
@Suite struct ServiceStackEncodeTests {
    typealias F = ServiceStackFixtures

    static let contentType = "Content-Type: application/json; charset=utf-8"
    static let noStore = "Cache-Control: no-store"
    static let sessionCookies = [
        "Set-Cookie: ss-id=sid-1; path=/; HttpOnly; SameSite=Lax",
        "Set-Cookie: ss-pid=pid-1; path=/; expires=Sat, 14 Nov 2043 22:13:20 GMT; HttpOnly; SameSite=Lax",
        "Set-Cookie: ss-opt=temp; path=/; expires=Sat, 14 Nov 2043 22:13:20 GMT; HttpOnly; SameSite=Lax",
    ]
    static let expiredCookies = ["ss-id", "ss-pid", "ss-tok", "ss-reftok"].map {
        "Set-Cookie: \($0)=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
    }

    private func lines(_ response: WireResponse) -> [String] {
        response.headers.entries.map { "\($0.name): \($0.value)" }
    }

    private func call(_ request: WireRequest, settings: String = "{}") throws -> (ServiceStackDialect, DialectCall) {
        let dialect = try F.dialect(settings)
        let call = try #require(dialect.decode(request))
        return (dialect, call)
    }

    private let signInBody = #"{"UserName":"ann","Password":"pw"}"#

    @Test func signInAnswersAuthenticateResponseWithSessionCookies() throws {
        let (dialect, call) = try call(F.postJSON("/auth/credentials", signInBody))
        let response = dialect.encode(F.signedIn(), for: call)
        #expect(response.status == 200)
        #expect(lines(response) == [Self.contentType, Self.noStore] + Self.sessionCookies)
        #expect(response.text == """
            {"UserId":"7","SessionId":"sid-1","UserName":"ann","DisplayName":"Ann Example","BearerToken":"\(F.bearerToken)",\
            "RefreshToken":"\(F.refreshToken)","RefreshTokenExpiry":"\\/Date(1731536000000)\\/","Roles":["admin"],\
            "Permissions":["reports.read"]}
            """)
    }

    @Test func camelCaseSignInAnswersCamelCase() throws {
        let (dialect, call) = try call(F.postJSON("/auth", #"{"userName":"ann","password":"pw","returnUrl":"/next"}"#))
        let response = dialect.encode(F.signedIn(), for: call)
        #expect(response.text == """
            {"userId":"7","sessionId":"sid-1","userName":"ann","displayName":"Ann Example","referrerUrl":"/next",\
            "bearerToken":"\(F.bearerToken)","refreshToken":"\(F.refreshToken)",\
            "refreshTokenExpiry":"\\/Date(1731536000000)\\/","roles":["admin"],"permissions":["reports.read"]}
            """)
    }

    @Test func bareIdentityUsesSubjectAndUserNameAndEmptyLists() throws {
        let (dialect, call) = try call(F.postJSON("/auth", signInBody))
        let response = dialect.encode(F.signedIn(F.bareIdentity), for: call)
        #expect(response.text.hasPrefix(
            #"{"UserId":"0f8fad5b-d9cb-469f-a165-70867728950e","SessionId":"sid-1","UserName":"bob","DisplayName":"bob","BearerToken""#))
        #expect(response.text.hasSuffix(#""Roles":[],"Permissions":[]}"#))
    }

    @Test func rememberMeSetsPermanentOption() throws {
        let (dialect, call) = try call(F.postJSON("/auth", #"{"UserName":"ann","Password":"pw","RememberMe":true}"#))
        let response = dialect.encode(F.signedIn(persistent: true), for: call)
        #expect(response.headers.values("Set-Cookie")[2] == "ss-opt=perm; path=/; expires=Sat, 14 Nov 2043 22:13:20 GMT; HttpOnly; SameSite=Lax")
    }

    @Test func useTokenCookieMovesTokensIntoCookies() throws {
        let (dialect, call) = try call(F.postJSON("/auth", #"{"UserName":"ann","Password":"pw","UseTokenCookie":true}"#))
        let response = dialect.encode(F.signedIn(), for: call)
        #expect(lines(response) == [Self.contentType, Self.noStore] + Self.sessionCookies + [
            "Set-Cookie: ss-tok=\(F.bearerToken); path=/; expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; SameSite=Lax",
            "Set-Cookie: ss-reftok=\(F.refreshToken); path=/; expires=Wed, 13 Nov 2024 22:13:20 GMT; HttpOnly; SameSite=Lax",
        ])
        #expect(response.text == """
            {"UserId":"7","SessionId":"sid-1","UserName":"ann","DisplayName":"Ann Example",\
            "RefreshTokenExpiry":"\\/Date(1731536000000)\\/","Roles":["admin"],"Permissions":["reports.read"]}
            """)
    }

    @Test func tokenCookieOfOpaqueBearerExpiresWithConfiguredLifetime() throws {
        let (dialect, call) = try call(F.postJSON("/auth", signInBody), settings: #"{"useTokenCookie":true,"bearerTokenLifetimeSeconds":3600}"#)
        var session = F.session
        session.bearerToken = "opaque"
        let result = DialectResult.signedIn(SignedIn(grant: F.grant(), artifacts: IssuedArtifacts(serviceStack: session)))
        let response = dialect.encode(result, for: call)
        #expect(response.headers.values("Set-Cookie")[3] == "ss-tok=opaque; path=/; expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; SameSite=Lax")
    }

    @Test func jsonpSignInWrapsBodyInCallback() throws {
        let (dialect, call) = try call(F.postJSON("/auth?callback=done", signInBody))
        let response = dialect.encode(F.signedIn(F.bareIdentity), for: call)
        #expect(response.status == 200)
        #expect(lines(response) == ["Content-Type: text/javascript; charset=utf-8", Self.noStore] + Self.sessionCookies)
        #expect(response.text.hasPrefix(#"done({"UserId":"0f8fad5b"#))
        #expect(response.text.hasSuffix(#""Permissions":[]})"#))
    }

    @Test(arguments: [AuthFailure.invalidCredentials])
    func failedSignInIsUnauthorized(failure: AuthFailure) throws {
        let (dialect, call) = try call(F.postJSON("/auth", signInBody))
        let response = dialect.encode(.failed(failure), for: call)
        #expect(response.status == 401)
        #expect(lines(response) == [Self.contentType])
        #expect(response.text == #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Invalid Username or Password"}}"#)
    }

    @Test func failedSignInInCamelCase() throws {
        let (dialect, call) = try call(F.postJSON("/auth", #"{"userName":"ann","password":"pw"}"#))
        let response = dialect.encode(.failed(.invalidCredentials), for: call)
        #expect(response.text == #"{"responseStatus":{"errorCode":"Unauthorized","message":"Invalid Username or Password"}}"#)
    }

    @Test func jsonpFailedSignInIsStatus200() throws {
        let (dialect, call) = try call(F.postJSON("/auth?callback=cb", signInBody))
        let response = dialect.encode(.failed(.invalidCredentials), for: call)
        #expect(response.status == 200)
        #expect(response.text == #"cb({"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Invalid Username or Password"}})"#)
    }

    @Test func upstreamUnavailableIs503() throws {
        let (dialect, call) = try call(F.postJSON("/auth", signInBody))
        let response = dialect.encode(.failed(.upstreamUnavailable(upstream: "crm")), for: call)
        #expect(response.status == 503)
        #expect(response.text == #"{"ResponseStatus":{"ErrorCode":"ServiceUnavailable","Message":"Authentication service unavailable"}}"#)
    }

    @Test func resolvedSessionAnswersWithoutTokensOrCookiesAndIsNotStored() throws {
        let (dialect, call) = try call(F.request("GET", "/auth", headers: [("Cookie", "ss-id=sid-1")]))
        let session = ServiceStackSession(
            sessionID: "sid-1", permanentID: "sid-1", bearerToken: "", refreshToken: "", refreshTokenExpiry: F.issuedAt)
        let response = dialect.encode(.resolved(F.grant(), artifacts: IssuedArtifacts(serviceStack: session)), for: call)
        #expect(response.status == 200)
        #expect(lines(response) == [Self.contentType, Self.noStore])
        #expect(response.text == #"{"UserId":"7","SessionId":"sid-1","UserName":"ann","DisplayName":"Ann Example","Roles":["admin"],"Permissions":["reports.read"]}"#)
    }

    @Test func unresolvedSessionIsNotAuthenticated() throws {
        let (dialect, call) = try call(F.request("GET", "/auth"))
        let response = dialect.encode(.failed(.invalidCredentials), for: call)
        #expect(response.status == 401)
        #expect(response.text == #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Not Authenticated"}}"#)
    }

    @Test func logoutAnswersEmptyObjectAndExpiresCookies() throws {
        let (dialect, call) = try call(F.request("GET", "/auth/logout", headers: [("Cookie", "ss-id=sid-1")]))
        let response = dialect.encode(.signedOut, for: call)
        #expect(response.status == 200)
        #expect(lines(response) == [Self.contentType] + Self.expiredCookies)
        #expect(response.text == "{}")
    }

    @Test func jsonpLogoutAnswersCallbackOfEmptyObject() throws {
        let (dialect, call) = try call(F.request("POST", "/auth/logout?callback=cb"))
        #expect(dialect.encode(.signedOut, for: call).text == "cb({})")
    }

    @Test func refreshAnswersAccessToken() throws {
        let (dialect, call) = try call(F.postJSON("/access-token", #"{"RefreshToken":"r1"}"#))
        let response = dialect.encode(.refreshed(accessToken: "new-jwt"), for: call)
        #expect(response.status == 200)
        #expect(lines(response) == [Self.contentType, Self.noStore])
        #expect(response.text == #"{"AccessToken":"new-jwt"}"#)
    }

    @Test func camelCaseRefreshAnswersCamelCase() throws {
        let (dialect, call) = try call(F.postJSON("/access-token", #"{"refreshToken":"r1"}"#))
        #expect(dialect.encode(.refreshed(accessToken: "new-jwt"), for: call).text == #"{"accessToken":"new-jwt"}"#)
    }

    @Test func refreshWithTokenCookieSetsTokenCookie() throws {
        let (dialect, call) = try call(F.postJSON("/access-token", #"{"RefreshToken":"r1","UseTokenCookie":true}"#))
        let response = dialect.encode(.refreshed(accessToken: F.bearerToken), for: call)
        #expect(lines(response) == [
            Self.contentType, Self.noStore,
            "Set-Cookie: ss-tok=\(F.bearerToken); path=/; expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; SameSite=Lax",
        ])
        #expect(response.text == "{}")
    }

    @Test func invalidRefreshTokenIsArgumentException() throws {
        let (dialect, call) = try call(F.postJSON("/access-token", #"{"RefreshToken":"bad"}"#))
        let response = dialect.encode(.failed(.invalidCredentials), for: call)
        #expect(response.status == 400)
        #expect(response.text == #"{"ResponseStatus":{"ErrorCode":"ArgumentException","Message":"RefreshToken is Invalid"}}"#)
    }

    @Test func missingSessionArtifactIsAServerError() throws {
        let (dialect, call) = try call(F.postJSON("/auth", signInBody))
        let response = dialect.encode(.signedIn(SignedIn(grant: F.grant(), artifacts: IssuedArtifacts())), for: call)
        #expect(response.status == 500)
        #expect(response.text == #"{"ResponseStatus":{"ErrorCode":"InvalidOperationException","Message":"No ServiceStack session was issued"}}"#)
    }

    @Test func respondCallIsReturnedAsIs() throws {
        let (dialect, call) = try call(F.postJSON("/auth", "{}"))
        guard case .respond(let expected) = call.action else {
            Issue.record("expected a direct response")
            return
        }
        #expect(dialect.encode(.signedOut, for: call) == expected)
    }
}
