import Dialects
import Foundation
import GatehouseCore
import Testing

/// Decoding: which requests are ServiceStack's and what each one asks for.
@Suite struct ServiceStackDialectTests {
    typealias F = ServiceStackFixtures

    private func signIn(_ call: DialectCall?) -> SignInRequest? {
        guard case .signIn(let request)? = call?.action else { return nil }
        return request
    }

    @Test func pascalCaseJSONSignInDecodesToPasswordCredential() throws {
        let call = try F.dialect().decode(F.postJSON(
            "/auth/credentials",
            #"{"provider":"credentials","UserName":"ann","Password":"s3cret","RememberMe":true,"ReturnUrl":"/home","Meta":{"k":"v"}}"#,
            headers: [("User-Agent", "ServiceStack .NET Client")]))
        let expected = SignInRequest(
            credential: .password(login: "ann", secret: "s3cret"), remember: true, dialect: .servicestack,
            provider: "credentials",
            client: ClientContext(address: "127.0.0.1", userAgent: "ServiceStack .NET Client", returnURL: "/home", meta: ["k": "v"]))
        #expect(signIn(call) == expected)
        #expect(call?.reply == ReplyStyle(format: .json, camelCase: false, useTokenCookie: false, remember: true))
    }

    @Test func camelCaseJSONBodyAsksForCamelCaseAnswer() throws {
        let call = try F.dialect().decode(F.postJSON("/auth", #"{"provider":"credentials","userName":"ann","password":"pw"}"#))
        #expect(signIn(call)?.credential == .password(login: "ann", secret: "pw"))
        #expect(call?.reply.camelCase == true)
    }

    /// The first telling member decides, so the answer depends on the body's member order alone:
    /// a body read through a dictionary answered at random.
    @Test(arguments: [
        (#"{"userName":"ann","Password":"pw","RememberMe":false}"#, true),
        (#"{"Password":"pw","userName":"ann","rememberMe":false}"#, false),
        (#"{"provider":"credentials","RememberMe":false,"userName":"ann","password":"pw"}"#, false),
    ])
    func mixedCaseBodyGetsTheCasingOfItsFirstTellingMemberEveryTime(body: String, camelCase: Bool) throws {
        let dialect = try F.dialect()
        for _ in 0..<50 {
            let call = dialect.decode(F.postJSON("/auth/credentials", body))
            #expect(call?.reply.camelCase == camelCase)
            #expect(signIn(call)?.credential == .password(login: "ann", secret: "pw"))
        }
    }

    /// A sign-in is persistent when `RememberMe` says so, or, without one, when the client holds `ss-opt=perm`.
    @Test(arguments: [
        (#"{"UserName":"ann","Password":"pw"}"#, [(String, String)](), false),
        (#"{"UserName":"ann","Password":"pw","RememberMe":true}"#, [], true),
        (#"{"UserName":"ann","Password":"pw"}"#, [("Cookie", "ss-id=x; ss-opt=perm")], true),
        (#"{"UserName":"ann","Password":"pw"}"#, [("Cookie", "ss-opt=temp")], false),
        (#"{"UserName":"ann","Password":"pw"}"#, [("X-ss-opt", "perm")], true),
        (#"{"UserName":"ann","Password":"pw","RememberMe":false}"#, [("Cookie", "ss-opt=perm")], false),
    ])
    func persistenceFollowsRememberMeThenTheSessionOptionsCookie(body: String, headers: [(String, String)], persistent: Bool) throws {
        let call = try F.dialect().decode(F.postJSON("/auth/credentials", body, headers: headers))
        #expect(signIn(call)?.remember == persistent)
        #expect(call?.reply.remember == persistent)
    }

    @Test func formBodySignsIn() throws {
        let call = try F.dialect().decode(F.postForm("/auth/credentials", "UserName=ann&Password=p%26w&RememberMe=TRUE"))
        #expect(signIn(call)?.credential == .password(login: "ann", secret: "p&w"))
        #expect(signIn(call)?.remember == true)
    }

    @Test func postWithCredentialsInQueryStringSignsIn() throws {
        let call = try F.dialect().decode(F.request("POST", "/auth/credentials?UserName=ann&Password=pw"))
        #expect(signIn(call)?.credential == .password(login: "ann", secret: "pw"))
    }

    @Test func queryStringWinsOverBody() throws {
        let call = try F.dialect().decode(F.postJSON("/auth?username=query", #"{"UserName":"body","Password":"pw"}"#))
        #expect(signIn(call)?.credential == .password(login: "query", secret: "pw"))
    }

    @Test func providerComesFromBodyWhenPathHasNone() throws {
        let call = try F.dialect().decode(F.postJSON("/json/reply/Authenticate", #"{"provider":"logout"}"#))
        #expect(call?.action == .signOut([]))
    }

    @Test func loginIsAnAliasOfCredentials() throws {
        let call = try F.dialect().decode(F.postJSON("/auth/login", #"{"UserName":"ann","Password":"pw"}"#))
        #expect(signIn(call)?.provider == "credentials")
    }

    @Test(arguments: [
        "/auth", "/auth/", "/AUTH/Credentials", "/auth.json", "/auth/credentials.json", "/json/reply/Authenticate",
        "/json/reply/authenticate", "/api/Authenticate",
    ])
    func authenticateRoutesAreRecognised(path: String) throws {
        let call = try F.dialect().decode(F.postJSON(path, #"{"UserName":"ann","Password":"pw"}"#))
        #expect(signIn(call)?.credential == .password(login: "ann", secret: "pw"))
    }

    @Test(arguments: [
        "/", "/authx", "/auth/credentials/extra", "/api/auth", "/json/reply/Other", "/api/Authenticate/x", "auth",
        "/access-token/x", "/auth//",
    ])
    func otherPathsAreNotServiceStacks(path: String) throws {
        #expect(try F.dialect().decode(F.request("POST", path)) == nil)
    }

    @Test func jsconfigTextCaseCamelCaseAsksForCamelCase() throws {
        let call = try F.dialect().decode(F.request("GET", "/auth?jsconfig=TextCase:CamelCase"))
        #expect(call?.reply.camelCase == true)
    }

    @Test func jsconfigShortFormAsksForCamelCase() throws {
        let call = try F.dialect().decode(F.request("GET", "/auth?jsconfig=edv,tc:cc"))
        #expect(call?.reply.camelCase == true)
    }

    @Test func configuredPascalCaseOverridesCamelCaseRequest() throws {
        let call = try F.dialect(#"{"textCase":"PascalCase"}"#).decode(
            F.postJSON("/auth?jsconfig=TextCase:CamelCase", #"{"userName":"ann","password":"pw"}"#))
        #expect(call?.reply.camelCase == false)
    }

    @Test func configuredCamelCaseAppliesToPascalCaseRequest() throws {
        let call = try F.dialect(#"{"textCase":"camelCase"}"#).decode(F.postJSON("/auth", #"{"UserName":"ann","Password":"pw"}"#))
        #expect(call?.reply.camelCase == true)
    }

    @Test func lowerCaseProviderAloneKeepsPascalCase() throws {
        let call = try F.dialect().decode(F.postJSON("/auth", #"{"provider":"logout"}"#))
        #expect(call?.reply.camelCase == false)
    }

    @Test func useTokenCookieComesFromRequestOrSettings() throws {
        let fromRequest = try F.dialect().decode(F.postJSON("/auth", #"{"UserName":"ann","Password":"pw","UseTokenCookie":"true"}"#))
        let fromSettings = try F.dialect(#"{"useTokenCookie":true}"#).decode(F.postJSON("/auth", #"{"UserName":"ann","Password":"pw"}"#))
        let overridden = try F.dialect(#"{"useTokenCookie":true}"#).decode(
            F.postJSON("/auth", #"{"UserName":"ann","Password":"pw","UseTokenCookie":false}"#))
        #expect(fromRequest?.reply.useTokenCookie == true)
        #expect(fromSettings?.reply.useTokenCookie == true)
        #expect(overridden?.reply.useTokenCookie == false)
    }

    @Test func callbackSelectsJSONP() throws {
        let call = try F.dialect().decode(F.request("GET", "/auth?callback=app.cb_1$"))
        #expect(call?.reply.format == .jsonp(callback: "app.cb_1$"))
    }

    @Test func invalidCallbackNameIsIgnored() throws {
        let call = try F.dialect().decode(F.request("GET", "/auth?callback=alert(1)"))
        #expect(call?.reply.format == .json)
    }

    @Test func getAuthWithoutPasswordResolvesPresentedSession() throws {
        let call = try F.dialect().decode(F.request("GET", "/auth/credentials?UserName=ann", headers: [("Cookie", "ss-id=abc")]))
        #expect(call?.action == .resolve(.serviceStackSession("abc")))
    }

    @Test func getAuthWithNothingPresentedResolvesNil() throws {
        #expect(try F.dialect().decode(F.request("GET", "/auth"))?.action == .resolve(nil))
    }

    @Test(arguments: [
        ([("X-ss-id", "hdr"), ("Authorization", "Bearer jwt"), ("Cookie", "ss-tok=tok; ss-id=id; ss-pid=pid")], PresentedArtifact.serviceStackSession("hdr")),
        ([("Authorization", "Bearer jwt"), ("Cookie", "ss-tok=tok; ss-id=id; ss-pid=pid")], .bearer("jwt")),
        ([("Cookie", "ss-id=id; ss-tok=tok; ss-pid=pid")], .bearer("tok")),
        ([("Cookie", "ss-pid=pid; ss-id=id; ss-opt=perm")], .serviceStackSession("id")),
        ([("Cookie", "ss-pid=pid; ss-id=")], .serviceStackSession("pid")),
        ([("X-ss-pid", "hpid")], .serviceStackSession("hpid")),
    ])
    func presentedArtifactsAreTakenInOrder(headers: [(String, String)], expected: PresentedArtifact) throws {
        #expect(try F.dialect().decode(F.request("GET", "/auth", headers: headers))?.action == .resolve(expected))
    }

    @Test func logoutByGetOrPostSignsOutPresentedSession() throws {
        let cookie = [("Cookie", "ss-id=abc")]
        let byGet = try F.dialect().decode(F.request("GET", "/auth/logout", headers: cookie))
        let byPost = try F.dialect().decode(F.request("POST", "/api/Authenticate?provider=logout", headers: cookie))
        #expect(byGet?.action == .signOut([.serviceStackSession("abc")]))
        #expect(byPost?.action == .signOut([.serviceStackSession("abc")]))
    }

    @Test(arguments: ["/access-token", "/json/reply/GetAccessToken", "/api/GetAccessToken", "/ACCESS-TOKEN"])
    func accessTokenRoutesExchangeRefreshToken(path: String) throws {
        let call = try F.dialect().decode(F.postJSON(path, #"{"refreshToken":"r1"}"#))
        #expect(call?.action == .refresh("r1"))
        #expect(call?.reply.camelCase == true)
    }

    @Test func accessTokenTakesRefreshTokenFromFormOrQuery() throws {
        #expect(try F.dialect().decode(F.postForm("/access-token", "RefreshToken=r2"))?.action == .refresh("r2"))
        #expect(try F.dialect().decode(F.request("GET", "/access-token?RefreshToken=r3"))?.action == .refresh("r3"))
    }

    @Test func accessTokenFallsBackOnRefreshTokenCookie() throws {
        let call = try F.dialect().decode(F.request("POST", "/access-token", headers: [("Cookie", "ss-reftok=r4")]))
        #expect(call?.action == .refresh("r4"))
    }
}
