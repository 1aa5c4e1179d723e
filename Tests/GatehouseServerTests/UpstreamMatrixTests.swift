import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import HummingbirdTesting
import Logging
import Testing

/// Every password-carrying client dialect × every password-carrying upstream dialect, through a front gateway
/// whose only authenticator is the upstream. The legacy system is played by a second Gatehouse on 127.0.0.1 with
/// local users: it answers each dialect exactly as its document shows (tested in the other suites).
@Suite struct UpstreamMatrixTests {
    enum Outcome: String, CaseIterable, Sendable { case success, wrongPassword, unknownUser, upstreamDown }

    static let passwordDialects: [DialectID] = [.aspnet, .webapi, .baas, .servicestack]

    static func upstreamURL(_ dialect: DialectID, port: Int) -> String {
        let base = "http://127.0.0.1:\(port)"
        return switch dialect {
        case .aspnet: base + "/{route}/SignIn"
        case .webapi: base + "/api/Account/SignIn"
        case .baas: base + "/v2/auth/signin"
        case .servicestack, .sso: base + "/auth/credentials"
        }
    }

    /// Signs in at the front door in `client`'s dialect and checks the answer `outcome` must get.
    static func check(_ client: DialectID, _ outcome: Outcome, _ front: GatewayClient) async throws {
        let login = outcome == .unknownUser ? "ghost@example.com" : "admin@example.com"
        let password = outcome == .wrongPassword ? "wrong" : "admin-pass"
        let reply: Reply
        switch client {
        case .aspnet:
            reply = try await front.post("/1/SignIn", json: #"{"UserName":"\#(login)","Password":"\#(password)"}"#)
        case .webapi:
            reply = try await front.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"\#(login)","client_secret":"\#(password)"}"#)
        case .baas:
            reply = try await front.post("/v2/auth/signin", json: #"{"username":"\#(login)","password":"\#(password)"}"#,
                                         headers: [("X-Api-Key", TestConfiguration.apiKey)])
        case .servicestack, .sso:
            reply = try await front.post("/auth/credentials", json: #"{"UserName":"\#(login)","Password":"\#(password)"}"#)
        }
        switch (outcome, client) {
        case (.success, _):
            #expect(reply.status == 200, "\(client) \(outcome): \(reply.text)")
            let artifact: String? = switch client {
            case .aspnet: reply.cookie(".AspNet.ApplicationCookie")
            case .webapi: reply.json?["access_token"]?.stringValue
            case .baas: reply.json?["sessionToken"]?.stringValue
            case .servicestack, .sso: reply.json?["BearerToken"]?.stringValue
            }
            #expect(artifact != nil)
        case (.wrongPassword, .aspnet), (.unknownUser, .aspnet):
            #expect(reply.status == 200)
            #expect(reply.text == #"{"UserInfo":null,"ResponseCookies":[],"IsValid":false}"#)
        case (.wrongPassword, _), (.unknownUser, _):
            #expect(reply.status == 401, "\(client) \(outcome): \(reply.text)")
        case (.upstreamDown, _):
            #expect(reply.status == 503, "\(client) \(outcome): \(reply.text)")
        }
    }

    @Test(arguments: passwordDialects)
    func everyClientDialectThroughUpstream(upstream: DialectID) async throws {
        var logger = Logger(label: "legacy")
        logger.logLevel = .error
        let legacy = try await GatehouseApplication.make(config: try TestConfiguration.make(), port: 0, logger: logger)
        try await legacy.test(.live) { legacyClient in
            let port = try #require(legacyClient.port)
            try await withLiveGateway(try TestConfiguration.front(upstream: upstream, url: Self.upstreamURL(upstream, port: port))) { front in
                for client in Self.passwordDialects {
                    for outcome in [Outcome.success, .wrongPassword, .unknownUser] {
                        try await Self.check(client, outcome, front)
                    }
                }
            }
        }
        // Upstream down: nothing listens on port 1.
        try await withLiveGateway(try TestConfiguration.front(upstream: upstream, url: Self.upstreamURL(upstream, port: 1))) { front in
            for client in Self.passwordDialects { try await Self.check(client, .upstreamDown, front) }
        }
    }
}

/// The SSO door in front of an SSO upstream: a token the front does not know is presented upstream as is.
@Suite struct SSOUpstreamTests {
    @Test func unknownBearerIsAskedOfTheSSOUpstream() async throws {
        let legacy = try await GatehouseApplication.make(config: try TestConfiguration.make(), port: 0)
        try await legacy.test(.live) { legacyClient in
            let port = try #require(legacyClient.port)
            let signIn = try await GatewayClient(client: legacyClient).post(
                "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#)
            let token = try #require(signIn.json?["access_token"]?.stringValue)
            let config = try TestConfiguration.front(upstream: .sso, url: "http://127.0.0.1:\(port)/api/v2/sso/signin/")
            try await withLiveGateway(config) { front in
                let good = try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
                #expect(good.status == 200)
                #expect(good.text == #"{"id":1,"ext_id":1001,"username":"Admin","role":"admin","tags":[7,9]}"#)
                let bad = try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer not-a-token")])
                #expect(bad.status == 401)
                #expect(bad.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
                // A password sign-in cannot be carried to an SSO upstream: refused as invalid credentials.
                let password = try await front.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
                #expect(password.status == 401)
            }
        }
        let down = try TestConfiguration.front(upstream: .sso, url: "http://127.0.0.1:1/api/v2/sso/signin/")
        try await withLiveGateway(down) { front in
            let reply = try await front.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer some-token")])
            #expect(reply.status == 503)
        }
    }
}
