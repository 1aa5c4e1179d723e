import Foundation
import GatehouseCore
import GatehouseTesting
import JWTKit
import Testing

/// `POST /api/v2/sso/signin/` over a real socket, against seed 001.
@Suite struct SSOSignInTests {
    /// An HS256 access token as a trusted partner mints it.
    static func partnerToken(userID: Int?, tokenType: String = "access", secret: String = TestConfiguration.partnerSecret,
                             expiresIn: TimeInterval = 300) async throws -> String {
        struct Claims: JWTPayload {
            var user_id: Int?
            var ext_id: Int?
            var token_type: String
            var jti: String
            var iat: IssuedAtClaim
            var exp: ExpirationClaim
            func verify(using algorithm: some JWTAlgorithm) throws {}
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(stringLiteral: secret), digestAlgorithm: .sha256)
        let now = Date()
        return try await keys.sign(Claims(
            user_id: userID, ext_id: 55, token_type: tokenType, jti: UUID().uuidString,
            iat: .init(value: now), exp: .init(value: now.addingTimeInterval(expiresIn))))
    }

    @Test func missingTokenIsUnauthorizedWithTheBearerChallenge() async throws {
        try await withLiveGateway { client in
            for uri in ["/api/v2/sso/signin/", "/api/v2/sso/signin"] {
                let reply = try await client.send("POST", uri)
                #expect(reply.status == 401)
                #expect(reply.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
                #expect(reply.text == #"{"detail":"Authentication credentials were not provided."}"#)
            }
        }
    }

    @Test func garbageTokenIsUnauthorized() async throws {
        try await withLiveGateway { client in
            for token in ["abc", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", String(repeating: "x", count: 5000)] {
                let reply = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
                #expect(reply.status == 401)
                #expect(reply.header("WWW-Authenticate") == #"Bearer error="invalid_token""#)
                #expect(reply.text == #"{"detail":"Invalid token."}"#)
            }
        }
    }

    @Test func partnerTokenSignsInItsUser() async throws {
        let token = try await Self.partnerToken(userID: 1)
        try await withLiveGateway { client in
            let reply = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")], body: Array("{}".utf8))
            #expect(reply.status == 200)
            #expect(reply.text == #"{"id":1,"ext_id":1001,"username":"Admin","role":"admin","tags":[7,9]}"#)
        }
    }

    @Test func partnerTokensThatMustNotPass() async throws {
        let tokens = [
            try await Self.partnerToken(userID: 1, secret: "another-secret-another-secret-0123456789"),
            try await Self.partnerToken(userID: 1, tokenType: "refresh"),
            try await Self.partnerToken(userID: nil),
            try await Self.partnerToken(userID: 99),
            try await Self.partnerToken(userID: 1, expiresIn: -120),
        ]
        try await withLiveGateway { client in
            for token in tokens {
                let reply = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
                #expect(reply.status == 401)
            }
        }
    }

    @Test func documentedTypesForAUserWithoutExternalIdOrDocumentedRole() async throws {
        try await withLiveGateway { client in
            let signIn = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"legacy@example.com","client_secret":"legacy-pass"}"#)
            let token = try #require(signIn.json?["access_token"]?.stringValue)
            let reply = try await client.send("POST", "/api/v2/sso/signin", headers: [("Authorization", "Bearer \(token)")])
            #expect(reply.status == 200)
            #expect(reply.text == #"{"id":3,"ext_id":null,"username":"legacy","role":null,"tags":[]}"#)
        }
    }
}
