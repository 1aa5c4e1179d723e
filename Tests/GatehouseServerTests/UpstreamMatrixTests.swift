import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import Testing
import Upstream

/// Every client dialect × every upstream dialect × {success, wrong password, unknown user, upstream down}: a
/// front gateway whose only authenticator is the upstream, and the legacy system played by its fake from
/// GatehouseTesting (written from the seed document, real HTTP on 127.0.0.1).
///
/// Decision — a credential only goes where its document says it can be checked. The SSO document takes only a
/// bearer token; the aspnet, webapi and baas documents have no way to check a token they did not just issue;
/// ServiceStack documents `GET /auth` for the caller's own session. So password client × sso upstream and
/// sso client × aspnet/webapi/baas upstream are declined inside Gatehouse: every outcome, "down" included, gets
/// the caller dialect's invalid-credentials answer, and the legacy system never receives a request.
@Suite struct UpstreamMatrixTests {
    enum Outcome: String, CaseIterable, Sendable { case success, wrongPassword, unknownUser, upstreamDown }

    /// Whether `upstream` can check what `client` carries: a password anywhere but sso, a bearer at sso and servicestack.
    static func accepts(_ client: DialectID, at upstream: DialectID) -> Bool {
        client == .sso ? [.sso, .servicestack].contains(upstream) : upstream != .sso
    }

    /// The user name the upstream vouches for admin with: the BaaS user object has no user name, only e-mails.
    static func userName(from upstream: DialectID) -> String {
        upstream == .baas ? "admin@example.com" : "Admin"
    }

    @Test(arguments: DialectID.allCases, DialectID.allCases)
    func signInThroughUpstream(client: DialectID, upstream: DialectID) async throws {
        let fake = FakeLegacy.system(for: upstream)
        try await fake.run { port in
            let tokens = try await Self.bearerTokens(upstream: upstream, fake: fake, port: port)
            let before = fake.legacy.requestCount
            try await withLiveGateway(try TestConfiguration.front(upstream: upstream, url: fake.signInURL(port: port))) { front in
                for outcome in [Outcome.success, .wrongPassword, .unknownUser] {
                    let reply = try await Self.signIn(client, outcome, tokens: tokens, at: front)
                    Self.check(reply, client: client, upstream: upstream, outcome: outcome)
                }
            }
            // One upstream request per sign-in it can check; none at all for a declined combination.
            #expect(fake.legacy.requestCount - before == (Self.accepts(client, at: upstream) ? 3 : 0))
        }
        // Down: nothing listens on port 1.
        let down = try TestConfiguration.front(upstream: upstream, url: fake.signInURL(port: 1))
        try await withLiveGateway(down) { front in
            let reply = try await Self.signIn(client, .upstreamDown, tokens: [:], at: front)
            Self.check(reply, client: client, upstream: upstream, outcome: .upstreamDown)
        }
    }

    /// The bearer token an sso caller presents for each outcome. For servicestack the good one is a
    /// `BearerToken` the test gets by signing in at the fake directly.
    static func bearerTokens(upstream: DialectID, fake: any FakeLegacySystem, port: Int) async throws -> [Outcome: String] {
        var tokens: [Outcome: String] = [
            .success: FakeSSOLegacy.token(for: .admin), .wrongPassword: "not-a-token", .unknownUser: "sso-token-ghost",
        ]
        if upstream == .servicestack {
            let client = UpstreamClient()
            defer { client.shutdown() }
            let body = #"{"UserName":"admin@example.com","Password":"admin-pass"}"#
            let reply = try await client.send(UpstreamRequest(
                method: "POST", url: fake.signInURL(port: port), headers: [("Content-Type", "application/json")], body: Array(body.utf8), timeoutSeconds: 30))
            tokens[.success] = try #require(JSONValue.parse(reply.body)?["BearerToken"]?.stringValue)
            tokens[.unknownUser] = FakeTokens.jwtLooking(.object([("sub", .string("99")), ("name", .string("ghost"))]))
        }
        return tokens
    }

    /// Signs in at the front door in `client`'s dialect with the credential `outcome` calls for.
    static func signIn(_ client: DialectID, _ outcome: Outcome, tokens: [Outcome: String], at front: GatewayClient) async throws -> Reply {
        let login = outcome == .unknownUser ? "ghost@example.com" : "admin@example.com"
        let password = outcome == .wrongPassword ? "wrong" : "admin-pass"
        switch client {
        case .aspnet:
            return try await front.post("/1/SignIn", json: #"{"UserName":"\#(login)","Password":"\#(password)"}"#)
        case .webapi:
            return try await front.post(
                "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"\#(login)","client_secret":"\#(password)"}"#)
        case .baas:
            return try await front.post(
                "/v2/auth/signin", json: #"{"username":"\#(login)","password":"\#(password)"}"#, headers: [("X-Api-Key", TestConfiguration.apiKey)])
        case .servicestack:
            return try await front.post("/auth/credentials", json: #"{"UserName":"\#(login)","Password":"\#(password)"}"#)
        case .sso:
            let token = tokens[outcome] ?? "sso-token-admin"
            return try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
        }
    }

    /// The answer the caller's client depends on.
    static func check(_ reply: Reply, client: DialectID, upstream: DialectID, outcome: Outcome) {
        let context = "\(client) via \(upstream), \(outcome): \(reply.status) \(reply.text)"
        switch outcome {
        case .success where accepts(client, at: upstream):
            checkSignedIn(reply, client: client, upstream: upstream, context: context)
        case .upstreamDown where accepts(client, at: upstream):
            #expect(reply.status == 503, "\(context)")
            #expect(reply.text == unavailableBody(client), "\(context)")
        default:
            checkRefused(reply, client: client, context: context)
        }
    }

    private static func checkSignedIn(_ reply: Reply, client: DialectID, upstream: DialectID, context: String) {
        #expect(reply.status == 200, "\(context)")
        let json = reply.json
        switch client {
        case .aspnet:
            #expect(reply.cookie(".AspNet.ApplicationCookie").map { !$0.isEmpty } == true, "\(context)")
            #expect(json?["IsValid"] == .bool(true), "\(context)")
            #expect(json?["UserInfo"]?["UserName"]?.stringValue == userName(from: upstream), "\(context)")
        case .webapi:
            #expect(json?["token_type"]?.stringValue == "bearer", "\(context)")
            let claims = json?["access_token"]?.stringValue.flatMap(jwtClaims)
            #expect(claims?["unique_name"]?.stringValue == userName(from: upstream), "\(context)")
        case .baas:
            #expect(json?["sessionToken"]?.stringValue.map { !$0.isEmpty } == true, "\(context)")
            #expect(json?["username"]?.stringValue == userName(from: upstream), "\(context)")
        case .servicestack:
            #expect(json?["BearerToken"]?.stringValue.map { !$0.isEmpty } == true, "\(context)")
            #expect(reply.cookie("ss-id").map { !$0.isEmpty } == true, "\(context)")
            #expect(json?["UserName"]?.stringValue == userName(from: upstream), "\(context)")
        case .sso:
            // The SSO system knows admin's ext_id and tags; ServiceStack's AuthenticateResponse has neither.
            let expected = upstream == .sso
                ? #"{"id":1,"ext_id":1001,"username":"Admin","role":"admin","tags":[7,9]}"#
                : #"{"id":1,"ext_id":null,"username":"Admin","role":"admin","tags":[]}"#
            #expect(reply.text == expected, "\(context)")
        }
    }

    /// The caller dialect's invalid-credentials answer: wrong password and unknown user look alike.
    private static func checkRefused(_ reply: Reply, client: DialectID, context: String) {
        switch client {
        case .aspnet:
            #expect(reply.status == 200, "\(context)")
            #expect(reply.text == #"{"UserInfo":null,"ResponseCookies":[],"IsValid":false}"#, "\(context)")
            #expect(reply.cookie(".AspNet.ApplicationCookie") == nil, "\(context)")
        case .webapi:
            #expect(reply.status == 401, "\(context)")
            #expect(reply.text == #"{"Message":"Authorization has been denied for this request."}"#, "\(context)")
            #expect(reply.header("WWW-Authenticate") == "Bearer", "\(context)")
        case .baas:
            #expect(reply.status == 401, "\(context)")
            #expect(reply.text == #"[{"code":401,"message":"Invalid username or password"}]"#, "\(context)")
        case .servicestack:
            #expect(reply.status == 401, "\(context)")
            #expect(reply.text == #"{"ResponseStatus":{"ErrorCode":"Unauthorized","Message":"Invalid Username or Password"}}"#, "\(context)")
        case .sso:
            #expect(reply.status == 401, "\(context)")
            #expect(reply.text == #"{"detail":"Invalid token."}"#, "\(context)")
            #expect(reply.header("WWW-Authenticate") == #"Bearer error="invalid_token""#, "\(context)")
        }
    }

    /// The caller dialect's 503 body when the upstream cannot be asked.
    static func unavailableBody(_ client: DialectID) -> String {
        switch client {
        case .aspnet, .webapi: #"{"Message":"The authentication service is unavailable."}"#
        case .baas: #"[{"code":503,"message":"Authentication service unavailable"}]"#
        case .servicestack: #"{"ResponseStatus":{"ErrorCode":"ServiceUnavailable","Message":"Authentication service unavailable"}}"#
        case .sso: #"{"detail":"Service temporarily unavailable, try again later."}"#
        }
    }

    /// The claims of a JWT, its signature unchecked.
    static func jwtClaims(_ token: String) -> JSONValue? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var text = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).flatMap { JSONValue.parse(Array($0)) }
    }
}
