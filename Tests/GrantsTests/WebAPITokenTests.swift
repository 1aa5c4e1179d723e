import Foundation
import GatehouseCore
import Grants
import JWTKit
import Testing

@Suite("webapi access token")
struct WebAPITokenTests {
    @Test func tokenCarriesTheDocumentedClaims() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.webapi, kinds: [.accessToken])
        let token = try #require(signedIn.artifacts.accessToken)
        let claims = try TokenInspection.payload(of: token, as: WebAPIClaims.self)
        #expect(claims == WebAPIClaims(
            sub: "0b6c1f0e-5a43-4d4e-9a55-1d2a7b0e9c11", email: "alice@example.com", unique_name: "alice",
            role: ["admin", "editor"], iss: "https://gatehouse.test", aud: "crm", iat: TestClock.start,
            nbf: TestClock.start, exp: TestClock.start + 3_600, jti: claims.jti, sid: signedIn.grant.id))
        #expect(Data(base64URL: claims.jti)?.count == 16)
    }

    @Test func numericDatesAreWholeSeconds() async throws {
        let clock = TestClock(TestClock.start + 0.75)
        let fixture = try await GrantFixture.make(clock: clock)
        let token = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        let text = try TokenInspection.payloadText(of: token)
        // Member order in the payload is not fixed: check each date is a whole number followed by `,` or `}`.
        for member in [#""iat":1700000000"#, #""exp":1700003600"#] {
            #expect(text.contains(member + ",") || text.contains(member + "}"))
        }
    }

    @Test func headerNamesES256AndTheKeyID() async throws {
        let fixture = try await GrantFixture.make()
        let token = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        #expect(try TokenInspection.header(of: token) == ["alg": "ES256", "typ": "JWT", "kid": fixture.keys.keyID])
    }

    @Test func tokenIDsDifferBetweenSignIns() async throws {
        let fixture = try await GrantFixture.make()
        let first = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        let second = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        #expect(try TokenInspection.payload(of: first, as: WebAPIClaims.self).jti
            != TokenInspection.payload(of: second, as: WebAPIClaims.self).jti)
    }

    @Test func tokenResolvesUntilItsExpiry() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.webapi, kinds: [.accessToken])
        let token = try #require(signedIn.artifacts.accessToken)
        #expect(try await fixture.service.resolve(.bearer(token)) == signedIn.grant)
        fixture.clock.advance(by: 3_599)
        #expect(try await fixture.service.resolve(.bearer(token)) == signedIn.grant)
        fixture.clock.advance(by: 1)
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test func tokenExpiresEvenWhileItsGrantLives() async throws {
        // Minted on a servicestack grant (1 day), the access token still ends after an hour.
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.accessToken, .serviceStackSession], remember: true)
        let token = try #require(signedIn.artifacts.accessToken)
        fixture.clock.advance(by: 3_600)
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
        #expect(try await fixture.service.resolve(.serviceStackSession(try #require(signedIn.artifacts.serviceStack).permanentID))
            == signedIn.grant)
    }

    @Test func verifiedClaimsAreThePayloadOfALiveToken() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.webapi, kinds: [.accessToken])
        let token = try #require(signedIn.artifacts.accessToken)
        let claims = try #require(try await fixture.service.verifiedClaims(of: token))
        #expect(claims["sid"] == .string(signedIn.grant.id))
        #expect(claims["unique_name"] == .string("alice"))
        #expect(claims["exp"] == .int(1_700_003_600))
        try await fixture.service.revoke(.bearer(token))
        #expect(try await fixture.service.verifiedClaims(of: token) == nil)
    }
}
