import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import HummingbirdTesting
import Testing

/// Forward auth: Gatehouse as the decision point of a proxy the operator already runs.
enum ForwardAuthFixture {
    /// Decision-only routes (no upstream): `/echo/admin` for admins, `/echo/open` for anyone, the rest of `/echo` for any sign-in.
    static var routes: [[String: Any]] { [
        ["name": "admin", "pathPrefix": "/echo/admin", "policy": "authenticated", "roles": ["admin"]],
        ["name": "open", "pathPrefix": "/echo/open", "policy": "public"],
        ["name": "app", "pathPrefix": "/echo", "policy": "authenticated"],
    ] }

    /// A Gatehouse with `routes`, and the upstream the front proxy forwards to.
    static func withGatehouse<T: Sendable>(
        authz: [String: Any]? = nil, assertionHeader: String? = nil, probe: EchoProbe = EchoProbe(), _ test: @escaping @Sendable (GatewayClient, Int) async throws -> T
    ) async throws -> T {
        nonisolated(unsafe) let authz = authz
        return try await LoopbackServer.run(EchoUpstream.router(probe: probe)) { upstream in
            var proxy: [String: Any] = ["signInPage": "/login", "returnURLHosts": ["portal.example"]]
            if let assertionHeader { proxy["assertionHeader"] = assertionHeader }
            let config = try ProxyConfiguration.make(routes: routes, proxy: proxy, authz: authz)
            return try await withLiveGateway(config) { client in try await test(client, upstream) }
        }
    }

    /// A Gatehouse and `kind` in front of the upstream, asking it.
    static func withFront(
        _ kind: FrontProxy.Kind, probe: EchoProbe = EchoProbe(),
        _ test: @escaping @Sendable (_ gatehouse: GatewayClient, _ front: GatewayClient) async throws -> Void
    ) async throws {
        try await withGatehouse(probe: probe) { gatehouse, upstream in
            let front = try await FrontProxy.start(kind, upstream: upstream, gatehouse: try #require(try gatehouse.client.port))
            do {
                try await test(gatehouse, front.client)
            } catch {
                await front.stop()
                throw error
            }
            await front.stop()
        }
    }

    static func seen(_ reply: Reply) -> [(String, String)] { ReverseProxyTests.received(reply) }
    static func values(_ name: String, _ reply: Reply) -> [String] { ReverseProxyTests.values(name, in: seen(reply)) }
}

/// Real nginx (`auth_request`) and real Caddy (`forward_auth`) in front of a real upstream; one at a
/// time, so a loaded machine does not run twenty proxies beside the rest of the suite.
@Suite(.serialized) struct ForwardAuthFrontProxyTests {
    typealias F = ForwardAuthFixture

    static let cases = FrontProxy.Kind.allCases.flatMap { kind in ReverseProxyTests.Carrier.allCases.map { (kind, $0) } }

    @Test(arguments: cases)
    func everyArtifactOfEveryDialectLetsARequestThroughAsItsUser(kind: FrontProxy.Kind, carrier: ReverseProxyTests.Carrier) async throws {
        try await F.withFront(kind) { gatehouse, front in
            let artifact = try await carrier.headers(gatehouse)
            let spoofed = [("X-Auth-User", "root"), ("X-Auth-Roles", "superuser")]
            let reply = try await front.get("/echo/x?y=1", headers: artifact + spoofed)
            #expect(reply.status == 200, "\(kind) \(carrier): \(reply.text)")
            #expect(F.values("X-Auth-User", reply) == ["Admin"], "\(kind) \(carrier)")
            #expect(F.values("X-Auth-Email", reply) == ["admin@example.com"], "\(kind) \(carrier)")
            #expect(F.values("X-Auth-Roles", reply) == ["admin"], "\(kind) \(carrier)")
            // The admin route's role is held.
            let admin = try await front.get("/echo/admin/x", headers: artifact)
            #expect(admin.status == 200, "\(kind) \(carrier)")
        }
    }

    @Test(arguments: FrontProxy.Kind.allCases)
    func noneForgedExpiredOrRevokedOpenNothingAndARoleIsRequired(kind: FrontProxy.Kind) async throws {
        let probe = EchoProbe()
        try await F.withFront(kind, probe: probe) { gatehouse, front in
            let expired = try await SSOSignInTests.partnerToken(userID: 1, expiresIn: -120)
            let forged = try await SSOSignInTests.partnerToken(userID: 1, secret: String(repeating: "forged-secret-", count: 4))
            let revoked = try await OneIdentityManyDoorsTests.signIn(.serviceStackSessionID, gatehouse)
            #expect(try await gatehouse.send("POST", "/auth/logout", headers: [("Cookie", "ss-id=\(revoked)")]).status == 200)
            let refused: [[(String, String)]] = [
                [], [("Authorization", "Bearer \(expired)")], [("Authorization", "Bearer \(forged)")], [("Cookie", "ss-id=\(revoked)")],
                [("Authorization", "Bearer not-a-token")], [("X-Auth-User", "Admin")],
            ]
            for headers in refused {
                let reply = try await front.get("/echo/x", headers: headers)
                #expect(reply.status == 401, "\(kind) \(headers)")
            }
            #expect(probe.requests == 0)
            // Public needs nothing; a sign-in without the admin role is refused the admin route.
            let open = try await front.get("/echo/open/x", headers: [("X-Auth-User", "root")])
            #expect(open.status == 200)
            // nginx drops an empty header, Caddy passes it empty: nobody, either way.
            let anonymous = F.values("X-Auth-User", open)
            #expect(anonymous.allSatisfy { $0.isEmpty }, "\(kind)")
            let editor = try await gatehouse.post("/auth/credentials", json: #"{"UserName":"editor","Password":"editor-pass"}"#)
            let bearer = [("Authorization", "Bearer \(try #require(editor.json?["BearerToken"]?.stringValue))")]
            #expect(try await front.get("/echo/admin/x", headers: bearer).status == 403)
            let app = try await front.get("/echo/x", headers: bearer)
            #expect(app.status == 200)
            #expect(F.values("X-Auth-User", app) == ["editor"])
            #expect(probe.requests == 2)
        }
    }

    /// A browser without a sign-in goes to the sign-in page, signs in, and comes back to where it was going.
    @Test(arguments: FrontProxy.Kind.allCases)
    func aBrowserIsSentToSignInAndLandsBackOnTheOriginalURL(kind: FrontProxy.Kind) async throws {
        try await F.withFront(kind) { _, front in
            let browser = [("Accept", "text/html,application/xhtml+xml")]
            let sent = try await front.get("/echo/page?tab=2", headers: browser)
            #expect(sent.status == 302, "\(kind): \(sent.text)")
            let location = try #require(sent.header("Location"))
            #expect(location == "/login?ReturnUrl=%2Fecho%2Fpage%3Ftab%3D2")
            let returnURL = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "ReturnUrl" }?.value)
            // Signing in through the same front door (ASP.NET's cookie sign-in), then following ReturnUrl.
            let signIn = try await front.post("/1/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            #expect(signIn.status == 200)
            let ticket = try #require(signIn.cookie(".AspNet.ApplicationCookie"))
            let back = try await front.get(returnURL, headers: browser + [("Cookie", ".AspNet.ApplicationCookie=\(ticket)")])
            #expect(back.status == 200)
            #expect(back.json?["path"]?.stringValue == "/echo/page")
            #expect(back.json?["query"]?.stringValue == "tab=2")
            #expect(F.values("X-Auth-User", back) == ["Admin"])
        }
    }
}

/// Traefik's `forwardAuth` and Envoy's `ext_authz` conventions, with the headers their documentation
/// says they send, straight to Gatehouse.
@Suite struct ForwardAuthConventionTests {
    typealias F = ForwardAuthFixture

    static func bearer(_ client: GatewayClient) async throws -> [(String, String)] {
        [("Authorization", "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))")]
    }

    /// Traefik: X-Forwarded-Method, -Proto, -Host, -Uri, -For, and the client's own headers.
    static func traefik(_ method: String, _ uri: String, host: String = "portal.example", proto: String = "https") -> [(String, String)] {
        [("X-Forwarded-Method", method), ("X-Forwarded-Proto", proto), ("X-Forwarded-Host", host), ("X-Forwarded-Uri", uri),
         ("X-Forwarded-For", "203.0.113.9")]
    }

    @Test func traefikGetsTheIdentityHeadersOrA401OrTheSignInRedirect() async throws {
        try await F.withGatehouse { client, _ in
            let bearer = try await Self.bearer(client)
            let allowed = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/x?a=1") + bearer)
            #expect(allowed.status == 200)
            #expect(allowed.header("X-Auth-User") == "Admin")
            #expect(allowed.header("X-Auth-Email") == "admin@example.com")
            #expect(allowed.header("X-Auth-Roles") == "admin")
            #expect(allowed.body.isEmpty)

            let none = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/x"))
            #expect(none.status == 401)
            #expect(none.header("WWW-Authenticate") == #"Bearer realm="gatehouse""#)
            #expect(none.text == ReverseProxyTests.unauthorizedBody)

            // A browser: 302, back to the original URL — absolute, as its host is allow-listed.
            let browser = try await client.get(
                "/authz/forward-auth", headers: Self.traefik("GET", "/echo/page?t=1") + [("Accept", "text/html")])
            #expect(browser.status == 302)
            #expect(browser.header("Location") == "/login?ReturnUrl=https%3A%2F%2Fportal.example%2Fecho%2Fpage%3Ft%3D1")
            // Not allow-listed: the path alone. A POST is not redirected.
            let other = try await client.get(
                "/authz/forward-auth", headers: Self.traefik("GET", "/echo/page", host: "evil.example") + [("Accept", "text/html")])
            #expect(other.header("Location") == "/login?ReturnUrl=%2Fecho%2Fpage")
            let post = try await client.get("/authz/forward-auth", headers: Self.traefik("POST", "/echo/page") + [("Accept", "text/html")])
            #expect(post.status == 401)

            // The original's policy decides: public passes without a sign-in; a dot segment is refused.
            let open = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/open/x"))
            #expect(open.status == 200)
            #expect(["X-Auth-User", "X-Auth-Email", "X-Auth-Roles"].map { open.header($0) } == ["", "", ""])
            #expect(try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/open/../x")).status == 400)
            // Caddy keeps the original query on the endpoint's own URL: it is accepted, the headers decide.
            let queried = try await client.get("/authz/forward-auth?a=1", headers: Self.traefik("GET", "/echo/open/x?a=1"))
            #expect(queried.status == 200)
            // Any method, and nginx's convention on its own path.
            let nginx = try await client.send(
                "HEAD", "/authz/auth-request", headers: [("X-Original-Method", "GET"), ("X-Original-URL", "https://portal.example/echo/x")] + bearer)
            #expect(nginx.status == 200)
            #expect(nginx.header("X-Auth-User") == "Admin")
        }
    }

    /// With `proxy.assertionHeader`, an allowed check carries the signed assertion: signed on first
    /// sight, the same one on the checks that follow (answered on the event loop).
    @Test func anAllowedCheckCarriesTheAssertion() async throws {
        try await F.withGatehouse(assertionHeader: "X-Auth-Assertion") { client, _ in
            let bearer = try await Self.bearer(client)
            let first = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/x") + bearer)
            #expect(first.status == 200)
            let assertion = try #require(first.header("X-Auth-Assertion"))
            #expect(assertion.split(separator: ".").count == 3)
            let again = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/y") + bearer)
            #expect(again.header("X-Auth-Assertion") == assertion)
            #expect(again.header("X-Auth-User") == "Admin")
            // Nobody signed in on a public route: no assertion.
            let open = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/open/x"))
            #expect(open.header("X-Auth-Assertion") == nil)
        }
    }

    /// nginx's `auth_request` passes only 401 and 403 on: the sign-in URL rides on the 401.
    @Test func authRequestCarriesTheSignInURLOnIts401() async throws {
        try await F.withGatehouse { client, _ in
            let reply = try await client.get(
                "/authz/auth-request", headers: [("X-Original-Method", "GET"), ("X-Original-URI", "/echo/p?q=1"), ("Accept", "text/html")])
            #expect(reply.status == 401)
            #expect(reply.header("WWW-Authenticate") == #"Bearer realm="gatehouse""#)
            #expect(reply.header("Location") == "/login?ReturnUrl=%2Fecho%2Fp%3Fq%3D1")
        }
    }

    /// Envoy: its own method and Host, the original path after the prefix.
    @Test func envoyIsJudgedOnThePathAfterThePrefix() async throws {
        try await F.withGatehouse { client, _ in
            let editor = try await client.post("/auth/credentials", json: #"{"UserName":"editor","Password":"editor-pass"}"#)
            let bearer = [("Authorization", "Bearer \(try #require(editor.json?["BearerToken"]?.stringValue))")]
            let allowed = try await client.send("POST", "/authz/ext-authz/echo/x?y=1", headers: bearer + [("X-Forwarded-Proto", "https")])
            #expect(allowed.status == 200)
            #expect(allowed.header("X-Auth-User") == "editor")
            #expect(try await client.send("DELETE", "/authz/ext-authz/echo/admin/x", headers: bearer).status == 403)
            #expect(try await client.get("/authz/ext-authz/echo/open/x").status == 200)
            let browser = try await client.get("/authz/ext-authz/echo/page", headers: [("Accept", "text/html")])
            #expect(browser.status == 302)
            #expect(browser.header("Location") == "/login?ReturnUrl=%2Fecho%2Fpage")
        }
    }

    /// From a peer outside `authz.trustedProxies`, the forwarded description is not believed.
    @Test func anUntrustedPeerIsJudgedOnItsOwnRequest() async throws {
        try await F.withGatehouse(authz: ["trustedProxies": ["10.0.0.0/8"]]) { client, _ in
            // The public route named in the headers is not the request's: no route matches the check's own path.
            let reply = try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/open/x"))
            #expect(reply.status == 401)
        }
        try await F.withGatehouse(authz: ["defaultPolicy": "deny"]) { client, _ in
            let bearer = try await Self.bearer(client)
            #expect(try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/elsewhere") + bearer).status == 403)
            #expect(try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/echo/x") + bearer).status == 200)
        }
        try await F.withGatehouse(authz: ["defaultPolicy": "public"]) { client, _ throws in
            #expect(try await client.get("/authz/forward-auth", headers: Self.traefik("GET", "/elsewhere")).status == 200)
        }
    }

    /// A decision-only route is never served by Gatehouse's own proxy, nor by a shorter route.
    @Test func aDecisionOnlyRouteIsNotProxied() async throws {
        let probe = EchoProbe()
        try await LoopbackServer.run(EchoUpstream.router(probe: probe)) { upstream throws in
            let config = try ProxyConfiguration.make(routes: [
                ["name": "decide", "pathPrefix": "/echo/admin", "policy": "authenticated"],
                ["name": "all", "pathPrefix": "/", "upstream": "http://127.0.0.1:\(upstream)", "policy": "public"],
            ])
            try await withLiveGateway(config) { client throws in
                #expect(try await client.get("/echo/admin/x").status == 404)
                #expect(try await client.get("/echo/x").status == 200)
                #expect(probe.requests == 1)
            }
        }
    }
}
