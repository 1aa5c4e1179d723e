import Foundation
import GatehouseCore
import Grants
import JWTKit
import Testing

@Suite("Partner HS256 access tokens")
struct PartnerTokenTests {
    static let t0 = TestClock.start

    static func fixture(sharedSecret: String? = GrantFixture.partnerSecret) async throws -> GrantFixture {
        try await GrantFixture.make(sharedSecret: sharedSecret, partnerUsers: [7: GrantFixture.bob])
    }

    static func validClaims(jti: String = "jti-1") -> PartnerClaims {
        PartnerClaims(user_id: 7, ext_id: 700, token_type: "access", jti: jti, iat: t0 - 60, exp: t0 + 300)
    }

    static func sign(_ claims: PartnerClaims, secret: String = GrantFixture.partnerSecret, digest: DigestAlgorithm = .sha256)
        async throws -> String
    {
        let partner = JWTKeyCollection()
        await partner.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
        return try await partner.sign(claims)
    }

    @Test func validTokenResolvesToASynthesizedSSOGrant() async throws {
        let fixture = try await Self.fixture()
        let token = try await Self.sign(Self.validClaims())
        #expect(try await fixture.service.resolve(.bearer(token)) == Grant(
            id: "partner:jti-1", identity: GrantFixture.bob, dialect: .sso, issuedAt: Self.t0 - 60,
            expiresAt: Self.t0 + 300, persistent: false))
    }

    @Test func tokenSignedWithAnotherSecretIsRefused() async throws {
        let fixture = try await Self.fixture()
        let token = try await Self.sign(Self.validClaims(), secret: "another-secret-0123456789abcdef-0123")
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test func tokenIsRefusedWhenNoSecretIsConfigured() async throws {
        let fixture = try await Self.fixture(sharedSecret: nil)
        #expect(try await fixture.service.resolve(.bearer(try await Self.sign(Self.validClaims()))) == nil)
    }

    @Test func hs512WithTheSameSecretIsRefused() async throws {
        // jwt-kit asserts an HS512 key of at least 64 bytes, so this test's secret is that long.
        let secret = String(repeating: "0123456789abcdef", count: 4)
        let fixture = try await Self.fixture(sharedSecret: secret)
        let token = try await Self.sign(Self.validClaims(), secret: secret, digest: .sha512)
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test func expiredTokenIsRefused() async throws {
        let fixture = try await Self.fixture()
        let token = try await Self.sign(Self.validClaims())
        fixture.clock.advance(by: 299)
        #expect(try await fixture.service.resolve(.bearer(token)) != nil)
        fixture.clock.advance(by: 1)
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test(arguments: ["missing user_id", "token_type refresh", "missing token_type", "missing jti", "missing exp", "unknown user"])
    func tokenWithoutWhatAnAccessTokenNeedsIsRefused(defect: String) async throws {
        let fixture = try await Self.fixture()
        var claims = Self.validClaims()
        switch defect {
        case "missing user_id": claims.user_id = nil
        case "token_type refresh": claims.token_type = "refresh"
        case "missing token_type": claims.token_type = nil
        case "missing jti": claims.jti = nil
        case "missing exp": claims.exp = nil
        default: claims.user_id = 8
        }
        #expect(try await fixture.service.resolve(.bearer(try await Self.sign(claims))) == nil)
    }

    @Test func revokedTokenIsRefusedAndOthersStillWork() async throws {
        let fixture = try await Self.fixture()
        let revoked = try await Self.sign(Self.validClaims(jti: "jti-1"))
        let other = try await Self.sign(Self.validClaims(jti: "jti-2"))
        try await fixture.service.revoke(.bearer(revoked))
        #expect(try await fixture.service.resolve(.bearer(revoked)) == nil)
        #expect(try await fixture.service.resolve(.bearer(other))?.id == "partner:jti-2")
        #expect(await fixture.store.isRevoked(id: "partner:jti-1", now: Self.t0 + 299) == true)
        #expect(await fixture.store.isRevoked(id: "partner:jti-1", now: Self.t0 + 300) == false)
    }
}
