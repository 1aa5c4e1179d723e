import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("ServiceStack session and tokens")
struct ServiceStackSessionTests {
    static let alphanumerics = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    @Test func sessionIDsAreTwentyAlphanumerics() async throws {
        let fixture = try await GrantFixture.make()
        let session = try #require(try await fixture.signIn(.servicestack, kinds: [.serviceStackSession]).artifacts.serviceStack)
        for id in [session.sessionID, session.permanentID] {
            #expect(id.count == 20)
            #expect(id.allSatisfy { Self.alphanumerics.contains($0) })
        }
        #expect(session.sessionID != session.permanentID)
    }

    @Test func persistentSessionIDExpiresAfterTheSessionLifetimeButThePermanentIDLives() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession], remember: true)
        let session = try #require(signedIn.artifacts.serviceStack)
        fixture.clock.advance(by: GrantFixture.sessionLifetime - 1)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.sessionID)) == signedIn.grant)
        fixture.clock.advance(by: 1)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.sessionID)) == nil)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.permanentID)) == signedIn.grant)
        fixture.clock.advance(by: GrantFixture.refreshLifetime - GrantFixture.sessionLifetime)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.permanentID)) == nil)
    }

    @Test func temporarySignInsPermanentIDNamesNoSession() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession], remember: false)
        let session = try #require(signedIn.artifacts.serviceStack)
        // Issued all the same, as ServiceStack issues it, but it opens nothing: not now, nor once ss-id has expired.
        #expect(session.permanentID.count == 20)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.sessionID)) == signedIn.grant)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.permanentID)) == nil)
        fixture.clock.advance(by: GrantFixture.sessionLifetime)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.sessionID)) == nil)
        #expect(try await fixture.service.resolve(.serviceStackSession(session.permanentID)) == nil)
    }

    @Test func bearerTokenCarriesJwtAuthProviderClaims() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession])
        let token = try #require(signedIn.artifacts.serviceStack).bearerToken
        #expect(try TokenInspection.header(of: token) == ["alg": "ES256", "typ": "JWT", "kid": fixture.keys.keyID])
        #expect(try TokenInspection.payload(of: token, as: BearerClaims.self) == BearerClaims(
            iss: "ssjwt-test", sub: "42", iat: TestClock.start, exp: TestClock.start + 600, name: "Alice Example",
            preferred_username: "alice", email: "alice@example.com", roles: ["admin", "editor"], perms: ["users.manage"],
            sid: signedIn.grant.id))
    }

    @Test func bearerSubjectFallsBackToTheSubjectID() async throws {
        let fixture = try await GrantFixture.make()
        var identity = GrantFixture.alice
        identity.numericID = nil
        let token = try #require(try await fixture.signIn(.servicestack, kinds: [.serviceStackSession], identity: identity)
            .artifacts.serviceStack).bearerToken
        #expect(try TokenInspection.payload(of: token, as: BearerClaims.self).sub == identity.subject)
    }

    @Test func refreshTokenIsTypedJWTRWithItsExpiry() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession])
        let session = try #require(signedIn.artifacts.serviceStack)
        #expect(try TokenInspection.header(of: session.refreshToken) == ["alg": "ES256", "typ": "JWTR", "kid": fixture.keys.keyID])
        #expect(try TokenInspection.payload(of: session.refreshToken, as: RefreshClaims.self) == RefreshClaims(
            iss: "ssjwt-test", sub: "42", iat: TestClock.start, exp: TestClock.start + 86_400, sid: signedIn.grant.id))
        #expect(session.refreshTokenExpiry == TestClock.start + 86_400)
    }

    @Test func bearerTokenResolvesUntilItsExpiry() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession])
        let token = try #require(signedIn.artifacts.serviceStack).bearerToken
        #expect(try await fixture.service.resolve(.bearer(token)) == signedIn.grant)
        fixture.clock.advance(by: GrantFixture.bearerLifetime)
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test func refreshTokenIsNotAcceptedAsABearer() async throws {
        let fixture = try await GrantFixture.make()
        let session = try #require(try await fixture.signIn(.servicestack, kinds: [.serviceStackSession]).artifacts.serviceStack)
        #expect(try await fixture.service.resolve(.bearer(session.refreshToken)) == nil)
        #expect(try await fixture.service.verifiedClaims(of: session.refreshToken) == nil)
    }

    @Test func bearerAndAccessTokensAreNotAcceptedAsRefreshTokens() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession, .accessToken])
        #expect(try await fixture.service.refreshAccessToken(try #require(signedIn.artifacts.serviceStack).bearerToken) == nil)
        #expect(try await fixture.service.refreshAccessToken(try #require(signedIn.artifacts.accessToken)) == nil)
        #expect(try await fixture.service.refreshAccessToken("not-a-token") == nil)
    }

    @Test func refreshGivesANewBearerForTheSameGrant() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.serviceStackSession])
        let session = try #require(signedIn.artifacts.serviceStack)
        fixture.clock.advance(by: GrantFixture.bearerLifetime)
        #expect(try await fixture.service.resolve(.bearer(session.bearerToken)) == nil)
        let fresh = try #require(try await fixture.service.refreshAccessToken(session.refreshToken))
        #expect(fresh != session.bearerToken)
        let claims = try TokenInspection.payload(of: fresh, as: BearerClaims.self)
        #expect(claims.iat == TestClock.start + 600)
        #expect(claims.exp == TestClock.start + 1_200)
        #expect(claims.sid == signedIn.grant.id)
        #expect(try await fixture.service.resolve(.bearer(fresh)) == signedIn.grant)
    }

    @Test func expiredRefreshTokenGivesNothing() async throws {
        let fixture = try await GrantFixture.make()
        let session = try #require(try await fixture.signIn(.servicestack, kinds: [.serviceStackSession]).artifacts.serviceStack)
        fixture.clock.advance(by: GrantFixture.refreshLifetime)
        #expect(try await fixture.service.refreshAccessToken(session.refreshToken) == nil)
    }

    @Test func revokedRefreshTokenGivesNothing() async throws {
        let fixture = try await GrantFixture.make()
        let session = try #require(try await fixture.signIn(.servicestack, kinds: [.serviceStackSession]).artifacts.serviceStack)
        try await fixture.service.revoke(.serviceStackSession(session.sessionID))
        #expect(try await fixture.service.refreshAccessToken(session.refreshToken) == nil)
    }
}
