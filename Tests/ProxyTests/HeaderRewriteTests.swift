import Foundation
import GatehouseCore
import Testing

@testable import Proxy

@Suite struct HeaderRewriteTests {
    static let identity = Identity(
        subject: "s-1", userName: "editor", email: EmailAddresses(primary: "editor@example.com"),
        roles: [Role(name: "editor", id: "r1", displayName: "Editor"), Role(name: "qa", id: "r2", displayName: "QA")],
        createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), authenticator: "local")

    /// The identity headers a caller of `identity` carries (`ProxyCaller` makes them once).
    static func headers(of identity: Identity) -> [(String, String)] {
        HeaderRewrite.identityHeaders(identity, settings: ProxySettings())
    }

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
            identityHeaders: Self.headers(of: Self.identity), authorizationWasOurs: true, clientAddress: "127.0.0.1", requestID: "req-1")
        let out = HeaderRewrite.request(client, caller: caller, settings: ProxySettings())
        #expect(out.map { "\($0.0): \($0.1)" } == [
            "Accept: application/json",
            "X-Auth-User: editor",
            "X-Auth-Email: editor@example.com",
            "X-Auth-Roles: editor,qa",
            "Cookie: theme=dark; lang=en",
            "X-Forwarded-For: 127.0.0.1",
            "Forwarded: for=127.0.0.1;host=portal.example;proto=http",
            "X-Forwarded-Proto: http",
            "X-Forwarded-Host: portal.example",
            "X-Request-Id: req-1",
        ])
    }

    static let addressClaims: [(String, String)] = [
        ("Host", "portal.example:8443"), ("Forwarded", "for=10.0.0.1;proto=https"), ("X-Forwarded-For", "10.0.0.1"),
        ("x-forwarded-for", "10.0.0.2"), ("X-Real-IP", "10.0.0.1"), ("True-Client-IP", "10.0.0.1"), ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Prefix", "/admin"), ("X-Forwarded-Ssl", "on"), ("X-Forwarded-Server", "edge"), ("X_Real_IP", "10.0.0.1"),
        ("X-Forwarded-Proto", "HTTPS"), ("X-Forwarded-Host", "www.portal.example"),
    ]

    /// From a peer not in `proxy.trustedProxies` (none by default) no claim about the client passes;
    /// the peer's own address is what the upstream learns.
    @Test func anUntrustedPeersClaimsAboutTheClientAreReplacedByItsAddress() {
        let caller = HeaderRewrite.Caller(authorizationWasOurs: false, clientAddress: "192.0.2.7", requestID: "r")
        for settings in [ProxySettings(), ProxySettings(trustedProxies: [IPNetwork("10.0.0.0/8"), IPNetwork("::1")].compactMap { $0 })] {
            let out = HeaderRewrite.request(Self.addressClaims, caller: caller, settings: settings)
            #expect(out.map { "\($0.0): \($0.1)" } == [
                "X-Forwarded-For: 192.0.2.7",
                "Forwarded: for=192.0.2.7;host=\"portal.example:8443\";proto=http",
                "X-Forwarded-Proto: http",
                "X-Forwarded-Host: portal.example:8443",
                "X-Request-Id: r",
            ])
        }
    }

    @Test func aTrustedProxysClaimsPassAndThisHopIsAppended() {
        let settings = ProxySettings(trustedProxies: [IPNetwork("192.0.2.0/24"), IPNetwork("fd00::/8")].compactMap { $0 })
        let caller = HeaderRewrite.Caller(authorizationWasOurs: false, clientAddress: "192.0.2.7", requestID: "r")
        let out = HeaderRewrite.request(Self.addressClaims, caller: caller, settings: settings)
        #expect(out.map { "\($0.0): \($0.1)" } == [
            "X-Real-IP: 10.0.0.1", "True-Client-IP: 10.0.0.1", "X-Forwarded-Port: 443", "X-Forwarded-Prefix: /admin",
            "X-Forwarded-Ssl: on", "X-Forwarded-Server: edge",
            "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 192.0.2.7",
            "Forwarded: for=10.0.0.1;proto=https, for=192.0.2.7;host=\"portal.example:8443\";proto=http",
            // The client's own scheme and host, as the TLS-terminating proxy saw them.
            "X-Forwarded-Proto: https",
            "X-Forwarded-Host: www.portal.example",
            "X-Request-Id: r",
        ])
        let v6 = HeaderRewrite.Caller(authorizationWasOurs: false, clientAddress: "fd00::5", requestID: "r")
        let fromV6 = HeaderRewrite.request([("Host", "a.example")], caller: v6, settings: settings)
        #expect(fromV6.first { $0.0 == "Forwarded" }?.1 == "for=\"[fd00::5]\";host=a.example;proto=http")
        // A host that is not a token is quoted, `\` and `"` escaped (RFC 7230 quoted-string), non-ASCII kept.
        let odd = HeaderRewrite.request([("Host", "a\"b\\c:1é")], caller: v6, settings: settings)
        #expect(odd.first { $0.0 == "Forwarded" }?.1 == "for=\"[fd00::5]\";host=\"a\\\"b\\\\c:1é\";proto=http")
    }

    @Test func networksHoldTheirAddressesOnly() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains("10.255.0.1") && ten.contains("::ffff:10.1.2.3") && !ten.contains("11.0.0.1") && !ten.contains("fd00::1"))
        let one = try #require(IPNetwork("127.0.0.1"))
        #expect(one.contains("127.0.0.1") && !one.contains("127.0.0.2"))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains("fd12::1") && v6.contains("[fd00::1]") && !v6.contains("fe80::1") && !v6.contains("10.0.0.1"))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains("203.0.113.9"))
        for bad in ["10.0.0.1/8", "10.0.0.0/33", "10.0.0/8", "fd00::/129", "localhost", "", "10.0.0.0/", "10.0.0.0/+8"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test func theLegacySessionIsAttachedInOneCookieLineAndAsBearer() {
        let caller = HeaderRewrite.Caller(
            identityHeaders: Self.headers(of: Self.identity),
            upstreamArtifacts: ["cookie:ss-id": "legacy-sid", "cookie:.AspNet.ApplicationCookie": "legacy-ticket", "bearer": "legacy-jwt"],
            authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request(
            [("Cookie", "theme=dark; ss-id=gatehouse"), ("Authorization", "Basic dXNlcjpwdw==")], caller: caller, settings: ProxySettings())
        #expect(out.filter { $0.0 == "Cookie" }.map(\.1) == ["theme=dark; .AspNet.ApplicationCookie=legacy-ticket; ss-id=legacy-sid"])
        #expect(out.filter { $0.0.lowercased() == "authorization" }.map(\.1) == ["Bearer legacy-jwt"])
    }

    @Test func anAuthorizationThatWasNotOursIsKept() {
        let caller = HeaderRewrite.Caller(authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request([("Authorization", "Basic dXNlcjpwdw==")], caller: caller, settings: ProxySettings())
        #expect(out.first { $0.0 == "Authorization" }?.1 == "Basic dXNlcjpwdw==")
        #expect(!out.contains { $0.0 == "X-Auth-User" })
    }

    @Test func identityValuesCannotBreakTheHeaderLine() {
        var identity = Self.identity
        identity.userName = "eve\r\nX-Auth-Roles: admin"
        let caller = HeaderRewrite.Caller(identityHeaders: Self.headers(of: identity), authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request([], caller: caller, settings: ProxySettings())
        #expect(out.first { $0.0 == "X-Auth-User" }?.1 == "eveX-Auth-Roles: admin")
        #expect(out.filter { $0.0 == "X-Auth-Roles" }.count == 1)
    }

    @Test func underscoreSpellingsOfHandledHeadersAreDroppedOthersPass() {
        let caller = HeaderRewrite.Caller(authorizationWasOurs: false, clientAddress: nil, requestID: "r")
        let out = HeaderRewrite.request(
            [("X_Auth_User", "root"), ("x_forwarded_host", "evil"), ("X_ss_id", "s"), ("Transfer_Encoding", "chunked"),
             ("X_Original_URL", "/admin"), ("api_key", "k")],
            caller: caller, settings: ProxySettings())
        #expect(out.filter { !$0.0.hasPrefix("X-Forwarded") && $0.0 != "Forwarded" && $0.0 != "X-Request-Id" }.map { "\($0.0): \($0.1)" } == ["api_key: k"])
    }

    @Test func responsesLoseHopByHopHeadersOnly() {
        let out = HeaderRewrite.response([
            ("Connection", "close, X-Hop"), ("X-Hop", "1"), ("Transfer-Encoding", "chunked"), ("Content-Length", "5"),
            ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Type", "text/plain"), ("Keep-Alive", "timeout=5"),
        ])
        #expect(out.map { "\($0.0): \($0.1)" } == ["Set-Cookie: a=1", "Set-Cookie: b=2", "Content-Type: text/plain"])
    }

    @Test func theSignInRedirectEncodesTheReturnURL() {
        let answer = ProxyAnswer.signIn(page: "https://id.example/login?app=crm", returnURL: "/crm/a b?x=1&y=é")
        #expect(answer.status == 302)
        #expect(answer.headers.first { $0.0 == "Location" }?.1 == "https://id.example/login?app=crm&ReturnUrl=%2Fcrm%2Fa%20b%3Fx%3D1%26y%3D%C3%A9")
    }
}
