import Foundation
import GatehouseCore
import Testing

@testable import Proxy

@Suite struct HeaderRewriteTests {
    static let identity = Identity(
        subject: "s-1", userName: "editor", email: EmailAddresses(primary: "editor@example.com"),
        roles: [Role(name: "editor", id: "r1", displayName: "Editor"), Role(name: "qa", id: "r2", displayName: "QA")],
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), authenticator: "local")

    @Test func theUpstreamGetsTheIdentityAndNoneOfWhatTheClientClaimed() {
        let client: [(String, String)] = [
            ("Host", "portal.example"), ("Connection", "keep-alive, X-Secret-Hop"), ("X-Secret-Hop", "1"), ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"), ("Upgrade", "h2c"), ("Proxy-Authorization", "Basic x"), ("Content-Length", "3"),
            ("x-auth-user", "root"), ("X-AUTH-ROLES", "admin"), ("X-Auth-Email", "root@evil"),
            ("Authorization", "Bearer ours"), ("X-ss-id", "sid"), ("x-ss-pid", "pid"), ("X-Forwarded-For", "10.0.0.9"), ("X-Forwarded-Host", "evil"),
            ("X-Request-Id", "theirs"), ("Cookie", "theme=dark; .AspNet.ApplicationCookie=ticket; ss-id=1; ss-pid=2; lang=en"),
            ("Accept", "application/json"),
        ]
        let caller = HeaderRewrite.Caller(
            identity: Self.identity, authorizationWasOurs: true, clientAddress: "127.0.0.1", requestID: "req-1")
        let out = HeaderRewrite.request(client, caller: caller, settings: ProxySettings())
        #expect(out.map { "\($0.0): \($0.1)" } == [
            "Accept: application/json",
            "X-Auth-User: editor",
            "X-Auth-Email: editor@example.com",
            "X-Auth-Roles: editor,qa",
            "Cookie: theme=dark; lang=en",
            "X-Forwarded-For: 10.0.0.9, 127.0.0.1",
            "X-Forwarded-Proto: http",
            "X-Forwarded-Host: portal.example",
            "X-Request-Id: req-1",
        ])
    }

    @Test func theLegacySessionIsAttachedInOneCookieLineAndAsBearer() {
        let caller = HeaderRewrite.Caller(
            identity: Self.identity,
            upstreamArtifacts: ["cookie:ss-id": "legacy-sid", "cookie:.AspNet.ApplicationCookie": "legacy-ticket", "bearer": "legacy-jwt"],
            authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request(
            [("Cookie", "theme=dark; ss-id=gatehouse"), ("Authorization", "Basic dXNlcjpwdw==")], caller: caller, settings: ProxySettings())
        #expect(out.filter { $0.0 == "Cookie" }.map(\.1) == ["theme=dark; .AspNet.ApplicationCookie=legacy-ticket; ss-id=legacy-sid"])
        #expect(out.filter { $0.0.lowercased() == "authorization" }.map(\.1) == ["Bearer legacy-jwt"])
    }

    @Test func anAuthorizationThatWasNotOursIsKept() {
        let caller = HeaderRewrite.Caller(identity: nil, authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request([("Authorization", "Basic dXNlcjpwdw==")], caller: caller, settings: ProxySettings())
        #expect(out.first { $0.0 == "Authorization" }?.1 == "Basic dXNlcjpwdw==")
        #expect(!out.contains { $0.0 == "X-Auth-User" })
    }

    @Test func identityValuesCannotBreakTheHeaderLine() {
        var identity = Self.identity
        identity.userName = "eve\r\nX-Auth-Roles: admin"
        let caller = HeaderRewrite.Caller(identity: identity, authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request([], caller: caller, settings: ProxySettings())
        #expect(out.first { $0.0 == "X-Auth-User" }?.1 == "eveX-Auth-Roles: admin")
        #expect(out.filter { $0.0 == "X-Auth-Roles" }.count == 1)
    }

    @Test func underscoreSpellingsOfHandledHeadersAreDroppedOthersPass() {
        let caller = HeaderRewrite.Caller(identity: nil, authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request(
            [("X_Auth_User", "root"), ("x_forwarded_host", "evil"), ("X_ss_id", "s"), ("Transfer_Encoding", "chunked"),
             ("X_Original_URL", "/admin"), ("api_key", "k")],
            caller: caller, settings: ProxySettings())
        #expect(out.filter { !$0.0.hasPrefix("X-Forwarded") && $0.0 != "X-Request-Id" }.map { "\($0.0): \($0.1)" } == ["api_key: k"])
    }

    @Test func responsesLoseHopByHopHeadersOnly() {
        let out = HeaderRewrite.response([
            ("Connection", "close, X-Hop"), ("X-Hop", "1"), ("Transfer-Encoding", "chunked"), ("Content-Length", "5"),
            ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Type", "text/plain"), ("Keep-Alive", "timeout=5"),
        ])
        #expect(out.map { "\($0.0): \($0.1)" } == ["Set-Cookie: a=1", "Set-Cookie: b=2", "Content-Type: text/plain"])
    }

    @Test func artifactsOfEveryDialectAreFound() {
        let found = PresentedArtifacts.find(in: [
            ("authorization", "bearer  jwt-1 "), ("X-ss-id", "sid-h"),
            ("X-ss-pid", "pid-h"), ("Cookie", ".AspNet.ApplicationCookie=t; other=1; ss-id=sid-c; ss-pid=pid-c"),
            ("Cookie", "ss-tok=jwt-2"),
        ])
        #expect(found == [
            .bearer("jwt-1"), .serviceStackSession("sid-h"), .applicationCookie("t"), .serviceStackSession("sid-c"),
            .serviceStackSession("pid-c"), .bearer("jwt-2"), .serviceStackSession("pid-h"),
        ])
        #expect(PresentedArtifacts.find(in: [("Authorization", "Basic x"), ("Authorization", "Bearer ")]).isEmpty)
    }

    @Test func theSignInRedirectEncodesTheReturnURL() {
        let answer = ProxyAnswer.signIn(page: "https://id.example/login?app=crm", returnURL: "/crm/a b?x=1&y=é")
        #expect(answer.status == 302)
        #expect(answer.headers.first { $0.0 == "Location" }?.1 == "https://id.example/login?app=crm&ReturnUrl=%2Fcrm%2Fa%20b%3Fx%3D1%26y%3D%C3%A9")
    }
}
