import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import HummingbirdTesting
import JWTKit
import Testing

/// The reverse proxy end to end: a real Gatehouse in front of a real HTTP service on 127.0.0.1.
@Suite struct ReverseProxyTests {
    /// Every way a caller can carry a sign-in of any dialect.
    enum Carrier: String, CaseIterable, Sendable {
        case webapiBearer, baasBearer, serviceStackBearer, serviceStackCookie, serviceStackHeader, serviceStackPermanentHeader
        case aspnetCookie, partnerBearer

        /// Signs in as Admin the carrier's way and returns the headers that present the artifact.
        func headers(_ client: GatewayClient) async throws -> [(String, String)] {
            typealias Doors = OneIdentityManyDoorsTests
            switch self {
            case .webapiBearer: return [("Authorization", "Bearer \(try await Doors.signIn(.webapiJWT, client))")]
            case .baasBearer: return [("Authorization", "Bearer \(try await Doors.signIn(.baasSessionToken, client))")]
            case .serviceStackBearer: return [("Authorization", "Bearer \(try await Doors.signIn(.serviceStackBearer, client))")]
            case .serviceStackCookie: return [("Cookie", "ss-id=\(try await Doors.signIn(.serviceStackSessionID, client))")]
            case .serviceStackHeader: return [("X-ss-id", try await Doors.signIn(.serviceStackSessionID, client))]
            case .serviceStackPermanentHeader: return [("X-ss-pid", try await Doors.signIn(.serviceStackSessionID, client))]
            case .aspnetCookie: return [("Cookie", ".AspNet.ApplicationCookie=\(try await Doors.signIn(.aspnetTicket, client))")]
            case .partnerBearer: return [("Authorization", "Bearer \(try await SSOSignInTests.partnerToken(userID: 1))")]
            }
        }
    }

    /// The headers the upstream received, from the echo's JSON.
    static func received(_ reply: Reply) -> [(String, String)] {
        guard case .array(let pairs)? = reply.json?["headers"] else { return [] }
        return pairs.compactMap { pair in
            guard case .array(let parts) = pair, parts.count == 2, let name = parts[0].stringValue, let value = parts[1].stringValue
            else { return nil }
            return (name, value)
        }
    }

    static func values(_ name: String, in headers: [(String, String)]) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }

    static func withProxy<T: Sendable>(
        routes: @escaping @Sendable (Int) -> [[String: Any]], proxy: [String: Any]? = nil, jwtPrivateKeyPEM: String? = nil,
        probe: EchoProbe = EchoProbe(), _ test: @escaping @Sendable (GatewayClient, Int) async throws -> T
    ) async throws -> T {
        // Plain JSON literals, read once before the server starts.
        nonisolated(unsafe) let proxy = proxy
        return try await LoopbackServer.run(EchoUpstream.router(probe: probe)) { port in
            let config = try ProxyConfiguration.make(routes: routes(port), proxy: proxy, jwtPrivateKeyPEM: jwtPrivateKeyPEM)
            return try await withLiveGateway(config) { client in try await test(client, port) }
        }
    }

    static let unauthorizedBody = #"{"error":"unauthorized","message":"A valid sign-in is required."}"#

    @Test(arguments: Carrier.allCases)
    func everyDialectsArtifactOpensAnAuthenticatedRoute(carrier: Carrier) async throws {
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }) { client, port in
            let artifact = try await carrier.headers(client)
            let reply = try await client.get("/app/echo/a%20b/c?x=1&y=%2F", headers: artifact + [("X-Request-Id", "req-42")])
            #expect(reply.status == 200, "\(carrier): \(reply.text)")
            #expect(reply.header("X-Request-Id") == "req-42")
            #expect(reply.json?["path"] == .string("/echo/a%20b/c"))
            #expect(reply.json?["query"] == .string("x=1&y=%2F"))
            #expect(reply.json?["method"] == .string("GET"))
            let seen = Self.received(reply)
            #expect(Self.values("X-Auth-User", in: seen) == ["Admin"])
            #expect(Self.values("X-Auth-Email", in: seen) == ["admin@example.com"])
            #expect(Self.values("X-Auth-Roles", in: seen) == ["admin"])
            #expect(Self.values("X-Forwarded-For", in: seen) == ["127.0.0.1"])
            #expect(Self.values("X-Forwarded-Proto", in: seen) == ["http"])
            #expect(Self.values("X-Forwarded-Host", in: seen).count == 1)
            #expect(Self.values("X-Request-Id", in: seen) == ["req-42"])
            #expect(Self.values("Host", in: seen) == ["127.0.0.1:\(port)"])
            // Gatehouse's own artifacts stay at the front door.
            #expect(Self.values("Authorization", in: seen).isEmpty)
            #expect(Self.values("Cookie", in: seen).isEmpty)
            #expect(Self.values("X-ss-id", in: seen).isEmpty)
            #expect(Self.values("X-ss-pid", in: seen).isEmpty)
        }
    }

    @Test func deadGatehouseArtifactsAreNotPassedOnButForeignOnesAre() async throws {
        let key = ES256PrivateKey()
        try await Self.withProxy(routes: { port in [
            ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
        ] }, jwtPrivateKeyPEM: key.pemRepresentation) { client, _ in
            let jwt = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let expired = try await Self.expiredCopy(of: jwt, key: key, client: client)
            #expect(try await client.send("POST", "/auth/logout", headers: [("Authorization", "Bearer \(jwt)")]).status == 200)
            // Gatehouse's JWTs, expired or revoked: an upstream that checks them against the JWKS must never see them.
            for dead in [expired, jwt] {
                let reply = try await client.get("/open/echo/x", headers: [("Authorization", "Bearer \(dead)")])
                #expect(reply.status == 200)
                let seen = Self.received(reply)
                #expect(Self.values("Authorization", in: seen).isEmpty)
                #expect(Self.values("X-Auth-User", in: seen).isEmpty)
            }
            // ServiceStack's session headers are Gatehouse's to read, whatever they hold.
            let sessionHeaders = Self.received(try await client.get("/open/echo/x", headers: [("X-ss-id", "a"), ("X-ss-pid", "b")]))
            #expect(Self.values("X-ss-id", in: sessionHeaders).isEmpty)
            #expect(Self.values("X-ss-pid", in: sessionHeaders).isEmpty)
            // A bearer Gatehouse did not issue is the upstream's business, and reaches it as sent.
            let otherKey = ES256PrivateKey()
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: otherKey, kid: "legacy-idp")
            let foreign = try await keys.sign(ForeignClaims(sub: "someone"), kid: "legacy-idp")
            for token in [foreign, "legacy-opaque-token"] {
                let seen = Self.received(try await client.get("/open/echo/x", headers: [("Authorization", "Bearer \(token)")]))
                #expect(Self.values("Authorization", in: seen) == ["Bearer \(token)"])
            }
        }
    }

    struct ForeignClaims: JWTPayload {
        var sub: String
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    @Test func noArtifactIsUnauthorizedWithAShortAnswer() async throws {
        let probe = EchoProbe()
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }, probe: probe) { client, _ in
            let reply = try await client.get("/app/echo/x")
            #expect(reply.status == 401)
            #expect(reply.header("WWW-Authenticate") == #"Bearer realm="gatehouse""#)
            #expect(reply.header("Content-Type") == "application/json; charset=utf-8")
            #expect(reply.text == Self.unauthorizedBody)
            #expect(reply.header("X-Request-Id")?.count == 36)
        }
        #expect(probe.requests == 0)
    }

    @Test func forgedExpiredAndRevokedArtifactsOpenNothing() async throws {
        let key = ES256PrivateKey()
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }, jwtPrivateKeyPEM: key.pemRepresentation) { client, _ in
            let jwt = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            #expect(try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(jwt)")]).status == 200)

            // Forged: one character of the signature changed.
            var forged = Array(jwt)
            forged[forged.count - 5] = forged[forged.count - 5] == "A" ? "B" : "A"
            let forgedReply = try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(String(forged))")])
            #expect(forgedReply.status == 401)
            #expect(forgedReply.text == Self.unauthorizedBody)

            // Expired: signed with Gatehouse's own key, for the live grant, but past its exp.
            let expired = try await Self.expiredCopy(of: jwt, key: key, client: client)
            #expect(try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(expired)")]).status == 401)

            // Revoked: signed out through ServiceStack's logout with the same JWT.
            #expect(try await client.send("POST", "/auth/logout", headers: [("Authorization", "Bearer \(jwt)")]).status == 200)
            #expect(try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(jwt)")]).status == 401)

            // A cookie that was never issued.
            #expect(try await client.get("/app/echo/x", headers: [("Cookie", ".AspNet.ApplicationCookie=bm90LWEtdGlja2V0")]).status == 401)
        }
    }

    /// `jwt` re-signed with Gatehouse's key (same `kid`, same `sid`) but expired a minute ago.
    static func expiredCopy(of jwt: String, key: ES256PrivateKey, client: GatewayClient) async throws -> String {
        struct Claims: JWTPayload {
            var sid: String
            var sub: String
            var exp: Date
            func verify(using algorithm: some JWTAlgorithm) throws {}
        }
        let segments = jwt.split(separator: ".")
        var payload = String(segments[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try #require(Data(base64Encoded: payload).flatMap { JSONValue.parse(Array($0)) })
        let sid = try #require(claims["sid"]?.stringValue)
        guard case .array(let published)? = try await client.get("/.well-known/jwks.json").json?["keys"] else {
            throw ConfigError(issues: [ConfigIssue(path: "keys", message: "no JWKS")])
        }
        let kid = try #require(published.first?["kid"]?.stringValue)
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        var header = JWTHeader()
        header.typ = "JWT"
        header.kid = kid
        return try await keys.sign(
            Claims(sid: sid, sub: claims["sub"]?.stringValue ?? "", exp: Date().addingTimeInterval(-60)),
            kid: JWKIdentifier(string: kid), header: header)
    }

    @Test func rolesAreCheckedAnyOf() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "admin", "pathPrefix": "/admin", "upstream": "http://127.0.0.1:\(port)/echo", "stripPrefix": true,
             "policy": "authenticated", "roles": ["admin"]],
            ["name": "staff", "pathPrefix": "/staff", "upstream": "http://127.0.0.1:\(port)/echo", "stripPrefix": true,
             "policy": "authenticated", "roles": ["editor", "admin"]],
        ] }) { client, _ in
            let editor = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"editor-pass"}"#)
            let editorBearer = [("Authorization", "Bearer \(try #require(editor.json?["access_token"]?.stringValue))")]
            let admin = [("Authorization", "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))")]

            let refused = try await client.get("/admin/x", headers: editorBearer)
            #expect(refused.status == 403)
            #expect(refused.text == #"{"error":"forbidden","message":"Your sign-in lacks a role this route requires."}"#)
            let allowed = try await client.get("/admin/x", headers: admin)
            #expect(allowed.status == 200)
            #expect(allowed.json?["path"] == .string("/echo/x"))
            #expect(try await client.get("/staff/y", headers: editorBearer).status == 200)
            #expect(try await client.get("/staff/y", headers: admin).status == 200)
        }
    }

    @Test func aRoutesPolicyCannotBeSidesteppedBySpellingThePath() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "all", "pathPrefix": "/", "upstream": "http://127.0.0.1:\(port)", "policy": "authenticated"],
            ["name": "admin", "pathPrefix": "/echo/admin", "upstream": "http://127.0.0.1:\(port)", "policy": "authenticated",
             "roles": ["admin"]],
        ] }) { client, _ in
            let editor = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"editor-pass"}"#)
            let editorBearer = "Bearer \(try #require(editor.json?["access_token"]?.stringValue))"
            let adminBearer = "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))"
            let port = try #require(client.client.port)
            // Spellings that IIS (and most servers) serve as /echo/admin/x: all are the admin route's.
            for path in ["/echo/admin/x", "/echo/Admin/x", "/echo/%61dmin/x", "/echo/%41DMIN/x", "//echo//admin/x", "/echo/adm%69n/x"] {
                let refused = try await Self.rawGet(path, authorization: editorBearer, port: port)
                #expect(refused.head.hasPrefix("HTTP/1.1 403 Forbidden\r\n"), "\(path): \(refused.head)")
            }
            // Let through, the upstream receives the path the route was chosen by.
            let decoded = try await Self.rawGet("//echo/%61dmin//x%3fy", authorization: adminBearer, port: port)
            #expect(decoded.head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(decoded.head)")
            #expect(decoded.json?["path"] == .string("/echo/admin/x%3Fy"))
            // An encoded / is still refused, and so are IIS's own %uNNNN escapes, which mean nothing to other servers.
            for path in ["/echo/%61dmin/x%2Fy", "/echo/%u0061dmin/x", "/echo/%zz"] {
                let refused = try await Self.rawGet(path, authorization: adminBearer, port: port)
                #expect(refused.head.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(path): \(refused.head)")
            }
        }
    }

    /// `GET path` over a raw connection (a client library would normalize the path itself).
    static func rawGet(_ path: String, authorization: String, port: Int) async throws -> (head: String, body: String, json: JSONValue?) {
        try await RawConnection.with(port: port) { connection in
            try await connection.write("GET \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: \(authorization)\r\n\r\n")
            return try await ExpectContinueTests.readAnswer(connection)
        }
    }

    @Test func spoofedIdentityHeadersAreStripped() async throws {
        try await Self.withProxy(routes: { port in [
            ProxyConfiguration.app("http://127.0.0.1:\(port)"),
            ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
        ] }, proxy: ["assertionHeader": "X-Auth-Assertion"]) { client, _ in
            let spoofed = [
                ("X-Auth-User", "root"), ("x-auth-roles", "admin,superuser"), ("X-AUTH-EMAIL", "root@evil.example"),
                ("X-Auth-Assertion", "forged"), ("X-Forwarded-For", "10.9.9.9"), ("X-Forwarded-Host", "evil.example"),
            ]
            let editor = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"editor-pass"}"#)
            let bearer = ("Authorization", "Bearer \(try #require(editor.json?["access_token"]?.stringValue))")
            let signedIn = Self.received(try await client.get("/app/echo/x", headers: spoofed + [bearer]))
            #expect(Self.values("X-Auth-User", in: signedIn) == ["editor"])
            #expect(Self.values("X-Auth-Roles", in: signedIn) == ["editor"])
            #expect(Self.values("X-Auth-Email", in: signedIn) == ["editor@example.com"])
            #expect(Self.values("X-Auth-Assertion", in: signedIn).count == 1)
            #expect(Self.values("X-Auth-Assertion", in: signedIn) != ["forged"])
            // The client is not a trusted proxy: its X-Forwarded-For is dropped for the connected peer; Host is not the caller's to set.
            #expect(Self.values("X-Forwarded-For", in: signedIn) == ["127.0.0.1"])
            #expect(Self.values("X-Forwarded-Host", in: signedIn) == ["localhost"])

            let anonymous = Self.received(try await client.get("/open/echo/y", headers: spoofed))
            for name in ["X-Auth-User", "X-Auth-Roles", "X-Auth-Email", "X-Auth-Assertion"] {
                #expect(Self.values(name, in: anonymous).isEmpty, "\(name) reached the upstream")
            }
        }
    }

    @Test func headerNamesThatServersReadAsIdentityOrAsAnotherPathOrMethodAreDropped() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
            ["name": "read", "pathPrefix": "/read", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public",
             "methods": ["GET"]],
        ] }) { client, _ in
            let sent = [
                ("X_Auth_User", "root"), ("x_auth_roles", "admin"), ("X-Custom_Name", "1"), ("X-Original-URL", "/admin"),
                ("X-Rewrite-URL", "/admin"), ("X-HTTP-Method-Override", "DELETE"), ("X-Kept", "yes"),
            ]
            let open = Self.received(try await client.get("/open/echo/x", headers: sent))
            for name in ["X_Auth_User", "x_auth_roles", "X-Original-URL", "X-Rewrite-URL"] {
                #expect(Self.values(name, in: open).isEmpty, "\(name) reached the upstream")
            }
            // A name with _ that reads as no header the proxy handles passes as sent.
            #expect(Self.values("X-Custom_Name", in: open) == ["1"])
            #expect(Self.values("X-Kept", in: open) == ["yes"])
            // A method override is the upstream's business unless the route allows only some methods.
            #expect(Self.values("X-HTTP-Method-Override", in: open) == ["DELETE"])
            let restricted = Self.received(try await client.get("/read/echo/x", headers: sent))
            #expect(Self.values("X-HTTP-Method-Override", in: restricted).isEmpty)
            #expect(Self.values("X-Kept", in: restricted) == ["yes"])
        }
    }

    @Test func aClientThatStopsReadingIsDisconnectedAndItsUpstreamTransferDropped() async throws {
        let probe = EchoProbe()
        try await Self.withProxy(routes: { port in [
            ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
        ] }, proxy: ["sendTimeoutSeconds": 1], probe: probe) { client, _ in
            let abortedWhileConnected = try await RawConnection.with(port: try #require(client.client.port), reading: false) { connection in
                try await connection.write("GET /open/bytes/268435456 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                // The answer fills the socket buffers and Gatehouse's own, then its writes wait on a reader that never reads.
                try await eventually(within: .seconds(15), every: .milliseconds(50)) { probe.abortedDownloads > 0 }
                return probe.abortedDownloads
            }
            #expect(abortedWhileConnected == 1, "the upstream transfer should end while the stalled client is still connected")
        }
    }

    @Test func twoHostsAreABadRequest() async throws {
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }) { client, _ in
            let bearer = "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))"
            let answer = try await RawConnection.with(port: try #require(client.client.port)) { connection in
                try await connection.write(
                    "GET /app/echo/x HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nAuthorization: \(bearer)\r\n\r\n")
                return try await ExpectContinueTests.readAnswer(connection)
            }
            #expect(answer.head.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer.head)")
            #expect(answer.body == #"{"error":"bad_request","message":"A request carries exactly one Host."}"#)
        }
    }

    @Test func onlyTheFirstFewPresentedArtifactsAreTried() async throws {
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }) { client, _ in
            let jwt = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let junk = (0..<20).map { ("Authorization", "Bearer junk-\($0)") }
            #expect(try await client.get("/app/echo/x", headers: Array(junk.prefix(7)) + [("Authorization", "Bearer \(jwt)")]).status == 200)
            #expect(try await client.get("/app/echo/x", headers: junk + [("Authorization", "Bearer \(jwt)")]).status == 401)
        }
    }

    @Test func theAssertionIsAShortLivedJWTVerifiableThroughJWKS() async throws {
        struct Assertion: JWTPayload {
            var iss: String
            var aud: String
            var sub: String
            var iat: Date
            var exp: Date
            var preferred_username: String
            var email: String?
            var roles: [String]
            func verify(using algorithm: some JWTAlgorithm) throws {}
        }
        try await Self.withProxy(
            routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] },
            proxy: ["assertionHeader": "X-Auth-Assertion", "assertionLifetimeSeconds": 30, "assertionAudience": "crm"]
        ) { client, _ in
            let bearer = [("Authorization", "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))")]
            let seen = Self.received(try await client.get("/app/echo/x", headers: bearer))
            let assertion = try #require(Self.values("X-Auth-Assertion", in: seen).first)
            let jwks = try await client.get("/.well-known/jwks.json")
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks.text)
            let claims = try await keys.verify(assertion, as: Assertion.self)
            #expect(claims.aud == "crm")
            #expect(claims.iss == "gatehouse-test")
            #expect(claims.preferred_username == "Admin")
            #expect(claims.email == "admin@example.com")
            #expect(claims.roles == ["admin"])
            #expect(claims.sub == "a564ef59-085b-4803-b514-37288e32709e")
            #expect(claims.exp.timeIntervalSince(claims.iat) == 30)
            // An assertion opens nothing at Gatehouse itself.
            #expect(try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(assertion)")]).status == 401)
        }
    }

    @Test func browsersAreSentToTheSignInPageWithASafeReturnURL() async throws {
        try await Self.withProxy(
            routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] },
            proxy: ["signInPage": "/login", "returnURLHosts": ["portal.example.com"]]
        ) { client, _ in
            let html = ("Accept", "text/html,application/xhtml+xml")
            let relative = try await client.raw("GET", "/app/reports?year=2026", headers: [html, ("Host", "evil.example")])
            #expect(relative.status == 302)
            #expect(relative.header("Location") == "/login?ReturnUrl=%2Fapp%2Freports%3Fyear%3D2026")
            let absolute = try await client.raw("GET", "/app/reports", headers: [html, ("Host", "portal.example.com")])
            #expect(absolute.status == 302)
            #expect(absolute.header("Location") == "/login?ReturnUrl=http%3A%2F%2Fportal.example.com%2Fapp%2Freports")
            // An API client still gets 401.
            #expect(try await client.get("/app/reports", headers: [("Accept", "application/json")]).status == 401)
        }
    }

    @Test func upstreamHeadersPassIntactButHopByHopOnesDoNot() async throws {
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }) { client, _ in
            let bearer = [("Authorization", "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))")]
            let reply = try await client.get("/app/headers", headers: bearer)
            #expect(reply.status == 201)
            #expect(reply.text == "ok")
            #expect(reply.header("X-Custom") == "one")
            // The upstream's own ss-id and ASP.NET ticket would replace the browser's Gatehouse session.
            #expect(reply.setCookies == ["legacy_a=1; Path=/", "legacy_b=2; Path=/; HttpOnly"])
            #expect(reply.header("Keep-Alive") == nil)
            #expect(reply.header("Proxy-Authenticate") == nil)
            #expect(reply.header("Content-Length") == "2")
        }
    }

    @Test func methodsAndBinaryBodiesPassIntact() async throws {
        try await Self.withProxy(routes: { [ProxyConfiguration.app("http://127.0.0.1:\($0)")] }) { client, _ in
            let bearer = [("Authorization", "Bearer \(try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client))")]
            let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
            let mirrored = try await client.send("POST", "/app/mirror", headers: bearer + [("Content-Type", "application/octet-stream")], body: payload)
            #expect(mirrored.status == 200)
            #expect(mirrored.body == payload)
            for method in ["PUT", "PATCH", "DELETE"] {
                let reply = try await client.send(method, "/app/echo/item/7", headers: bearer, body: Array("x=1".utf8))
                #expect(reply.json?["method"] == .string(method))
                #expect(reply.json?["bodyBytes"] == .int(3))
            }
            let large = try await client.get("/app/bytes/5000000", headers: bearer)
            #expect(large.header("Content-Length") == "5000000")
            #expect(large.body.count == 5_000_000)
            #expect(large.body.enumerated().allSatisfy { $0.element == EchoUpstream.byte(at: $0.offset) })
            let chunked = try await client.get("/app/bytes/300000?chunked", headers: bearer)
            #expect(chunked.header("Content-Length") == nil)
            #expect(chunked.body.count == 300_000)
            #expect(chunked.body.enumerated().allSatisfy { $0.element == EchoUpstream.byte(at: $0.offset) })
        }
    }

    @Test func aRefusingUpstreamIs502AndASilentOneIs504() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "down", "pathPrefix": "/down", "upstream": "http://127.0.0.1:1", "policy": "public"],
            ["name": "slow", "pathPrefix": "/slow", "upstream": "http://127.0.0.1:\(port)", "policy": "public", "timeoutSeconds": 1],
        ] }) { client, _ in
            let down = try await client.get("/down/x")
            #expect(down.status == 502)
            #expect(down.text == #"{"error":"bad_gateway","message":"The upstream service could not be reached."}"#)
            let slow = try await client.get("/slow")
            #expect(slow.status == 504)
            #expect(slow.text == #"{"error":"gateway_timeout","message":"The upstream service did not answer in time."}"#)
        }
    }

    @Test func routesMatchByLongestPrefixHostAndMethod() async throws {
        try await LoopbackServer.run(EchoUpstream.router(name: "one")) { one in
            try await LoopbackServer.run(EchoUpstream.router(name: "two")) { two in
                let config = try ProxyConfiguration.make(routes: [
                    ["name": "api", "pathPrefix": "/api/", "upstream": "http://127.0.0.1:\(one)/echo", "stripPrefix": true, "policy": "public"],
                    ["name": "api-v2", "pathPrefix": "/api/v2/echo", "upstream": "http://127.0.0.1:\(two)/echo", "stripPrefix": true, "policy": "public"],
                    ["name": "hosted", "pathPrefix": "/api", "host": "tenant.example", "upstream": "http://127.0.0.1:\(two)/echo", "stripPrefix": true, "policy": "public"],
                    ["name": "writes", "pathPrefix": "/rw", "methods": ["POST"], "upstream": "http://127.0.0.1:\(two)", "stripPrefix": true, "policy": "public"],
                    ["name": "reads", "pathPrefix": "/rw", "methods": ["GET"], "upstream": "http://127.0.0.1:\(one)", "stripPrefix": true, "policy": "public"],
                    ["name": "pair", "pathPrefix": "/pair", "upstream": ["http://127.0.0.1:\(one)", "http://127.0.0.1:1", "http://127.0.0.1:\(two)"],
                     "stripPrefix": true, "policy": "public"],
                ])
                try await withLiveGateway(config) { client in
                    let viaAPI = try await client.get("/api/echo/a")
                    #expect(viaAPI.json?["name"] == .string("one"))
                    #expect(viaAPI.json?["path"] == .string("/echo/echo/a"))
                    let viaV2 = try await client.get("/api/v2/echo/a")
                    #expect(viaV2.json?["name"] == .string("two"))
                    #expect(viaV2.json?["path"] == .string("/echo/a"))
                    // Not below /api/v2/echo (segment boundary): the shorter /api route takes it.
                    #expect(try await client.get("/api/v2/echoes").json?["name"] == .string("one"))
                    let hosted = try await client.raw("GET", "/api/echo/a", headers: [("Host", "Tenant.Example:8080")])
                    #expect(hosted.json?["name"] == .string("two"), "\(hosted.status) \(hosted.text)")
                    #expect(try await client.get("/rw/echo/a").json?["name"] == .string("one"))
                    #expect(try await client.send("POST", "/rw/echo/a", body: [1]).json?["name"] == .string("two"))
                    #expect(try await client.send("DELETE", "/rw/echo/a").status == 404)
                    #expect(try await client.get("/nowhere").status == 404)
                    // Round-robin over the live two; the refusing one is skipped (and then tried last).
                    var names: [String] = []
                    for _ in 0..<6 {
                        let reply = try await client.get("/pair/echo/x")
                        #expect(reply.status == 200)
                        names.append(reply.json?["name"]?.stringValue ?? "?")
                    }
                    #expect(names.filter { $0 == "one" }.count >= 2)
                    #expect(names.filter { $0 == "two" }.count >= 2)
                }
            }
        }
    }

    @Test func aRoutesSignInShapedPathsReachItsUpstreamButGatehousesEndpointsStayItsOwn() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "crm", "pathPrefix": "/crm", "upstream": "http://127.0.0.1:\(port)/echo", "policy": "public"],
            ["name": "node", "pathPrefix": "/1", "upstream": "http://127.0.0.1:\(port)/echo", "policy": "public"],
        ] }) { client, _ in
            // ASP.NET answers /{controller}/SignIn for controllers it does not know with a 404; a route's own
            // sign-in page (the legacy service's) is not one of Gatehouse's endpoints, so it is proxied.
            let legacyPage = try await client.send("POST", "/crm/SignIn", body: Array("a=1".utf8))
            #expect(legacyPage.status == 200, "\(legacyPage.text)")
            #expect(legacyPage.json?["path"] == .string("/echo/crm/SignIn"))
            #expect(legacyPage.json?["method"] == .string("POST"))
            // /1/SignIn is a configured ASP.NET endpoint: the door keeps it even under the /1 route.
            let door = try await client.post("/1/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass","Remember":false}"#)
            #expect(door.status == 200)
            #expect(door.text.hasPrefix(#"{"UserInfo":{"UserName":"Admin","#))
            #expect(try await client.get("/1/other").json?["path"] == .string("/echo/1/other"))
        }
        // Without a route, the unknown controller still gets ASP.NET's own 404.
        try await Self.withProxy(routes: { port in [
            ["name": "other", "pathPrefix": "/other", "upstream": "http://127.0.0.1:\(port)", "policy": "public"],
        ] }) { client, _ in
            let reply = try await client.send("POST", "/crm/SignIn", body: [])
            #expect(reply.status == 404)
            #expect(reply.text == #"{"Message":"No HTTP resource was found that matches the request URI '/crm/SignIn'."}"#)
        }
    }

    @Test func theUpstreamsRedirectsToItselfPointAtTheRoute() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "crm", "pathPrefix": "/crm", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
            ["name": "whole", "pathPrefix": "/redirect", "upstream": "http://127.0.0.1:\(port)/", "policy": "public"],
        ] }) { client, _ in
            let stripped = try await client.get("/crm/redirect/echo/after")
            #expect(stripped.status == 302)
            #expect(stripped.header("Location") == "/crm/echo/after")
            let unstripped = try await client.get("/redirect/echo/z")
            #expect(unstripped.status == 302)
            #expect(unstripped.header("Location") == "/echo/z")
            let away = try await client.get("/crm/redirect/x?away")
            #expect(away.header("Location") == "https://id.example/login")
        }
    }

    @Test func dotSegmentsAreRefused() async throws {
        try await Self.withProxy(routes: { port in [
            ["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "policy": "public"],
        ] }) { client, _ in
            for path in ["/open/../admin", "/open/%2e%2E/admin", "/open/./x"] {
                let reply = try await client.get(path)
                #expect(reply.status == 400, "\(path)")
            }
        }
    }

    /// Claims about the client's address pass only from `proxy.trustedProxies`.
    @Test func forwardingHeadersPassOnlyFromATrustedProxy() async throws {
        let claims = [
            ("Forwarded", "for=10.9.9.9"), ("X-Forwarded-For", "10.9.9.9"), ("X-Real-IP", "10.9.9.9"), ("True-Client-IP", "10.9.9.9"),
            ("X-Forwarded-Port", "443"), ("X-Forwarded-Prefix", "/x"), ("X-Forwarded-Ssl", "on"), ("X-Forwarded-Server", "edge"),
        ]
        let names = ["X-Real-IP", "True-Client-IP", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Ssl", "X-Forwarded-Server"]
        let routes: @Sendable (Int) -> [[String: Any]] = { port in
            [["name": "open", "pathPrefix": "/open", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"]]
        }
        try await Self.withProxy(routes: routes) { client, _ in
            let seen = Self.received(try await client.get("/open/echo/x", headers: claims))
            #expect(Self.values("X-Forwarded-For", in: seen) == ["127.0.0.1"])
            #expect(Self.values("Forwarded", in: seen) == ["for=127.0.0.1;host=localhost;proto=http"])
            for name in names { #expect(Self.values(name, in: seen).isEmpty, "\(name) reached the upstream") }
        }
        try await Self.withProxy(routes: routes, proxy: ["trustedProxies": ["10.0.0.0/8", "127.0.0.1"]]) { client, _ in
            let seen = Self.received(try await client.get("/open/echo/x", headers: claims))
            #expect(Self.values("X-Forwarded-For", in: seen) == ["10.9.9.9, 127.0.0.1"])
            #expect(Self.values("Forwarded", in: seen) == ["for=10.9.9.9, for=127.0.0.1;host=localhost;proto=http"])
            #expect(Self.values("X-Real-IP", in: seen) == ["10.9.9.9"])
            for name in names { #expect(Self.values(name, in: seen).count == 1, "\(name)") }
        }
    }

    /// `..;` is `..` to Tomcat, Jetty and Spring; `/admin;x` is `/admin` to them and to the route table.
    /// Every path below would reach the echo (and count) if it were forwarded.
    @Test func dotSegmentsWithPathParametersAreRefusedAndParametersDoNotEscapeAPrefix() async throws {
        let probe = EchoProbe()
        try await Self.withProxy(routes: { port in [
            ["name": "pub", "pathPrefix": "/echo/pub", "upstream": "http://127.0.0.1:\(port)", "policy": "public"],
            ["name": "admin", "pathPrefix": "/echo/admin", "upstream": "http://127.0.0.1:\(port)", "policy": "authenticated"],
            ["name": "rest", "pathPrefix": "/", "upstream": "http://127.0.0.1:\(port)", "policy": "public"],
        ] }, probe: probe) { client, _ in
            for path in ["/echo/pub/..;/admin/x", "/echo/pub/.;/admin/x", "/echo/pub/..;jsessionid=1/admin/x", "/echo/pub/%2E%2E;/admin/x"] {
                let reply = try await client.get(path)
                #expect(reply.status == 400, "\(path)")
            }
            #expect(probe.requests == 0)
            for path in ["/echo/admin;x/secret", "/echo/admin;jsessionid=1"] {
                let reply = try await client.get(path)
                #expect(reply.status == 401, "\(path)")
                #expect(reply.text == Self.unauthorizedBody)
            }
            #expect(probe.requests == 0)
            // Parameters elsewhere are the upstream's, and reach it as sent.
            let kept = try await client.get("/echo/pub/a;jsessionid=1")
            #expect(kept.status == 200)
            #expect(kept.json?["path"]?.stringValue == "/echo/pub/a;jsessionid=1")
            #expect(probe.requests == 1)
        }
    }
}

/// Routes Gatehouse itself would answer are refused at start-up.
@Suite struct UnreachableRouteTests {
    @Test func aRouteUnderGatehousesOwnPathsIsAConfigurationError() throws {
        let config = try ProxyConfiguration.make(routes: [
            ["name": "ok", "pathPrefix": "/api/", "upstream": "http://127.0.0.1:1"],
            ["name": "ss", "pathPrefix": "/auth/", "upstream": "http://127.0.0.1:1"],
            ["name": "health", "pathPrefix": "/healthz", "upstream": "http://127.0.0.1:1"],
            ["name": "token", "pathPrefix": "/api/Account/SignIn", "upstream": "http://127.0.0.1:1"],
        ])
        #expect(throws: ConfigError.self) { try Gateway.validate(config) }
        do {
            try Gateway.validate(config)
        } catch {
            #expect(error.issues.map(\.description) == [
                "routes[1].pathPrefix: '/auth/' is answered by Gatehouse itself, so the route is unreachable",
                "routes[2].pathPrefix: '/healthz' is answered by Gatehouse itself, so the route is unreachable",
                "routes[3].pathPrefix: '/api/Account/SignIn' is answered by Gatehouse itself, so the route is unreachable",
            ])
        }
    }
}
