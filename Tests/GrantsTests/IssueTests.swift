import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("Issuing a grant")
struct IssueTests {
    @Test(arguments: [
        (DialectID.aspnet, GrantFixture.ticketLifetime),
        (.webapi, GrantFixture.webAPITokenLifetime),
        (.sso, GrantFixture.webAPITokenLifetime),
        (.baas, 315_360_000),
        (.servicestack, GrantFixture.refreshLifetime),
    ])
    func grantLivesForItsDialectsLifetime(dialect: DialectID, lifetime: TimeInterval) async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(dialect, kinds: [], remember: true)
        let grant = signedIn.grant
        #expect(grant.dialect == dialect)
        #expect(grant.identity == GrantFixture.alice)
        #expect(grant.issuedAt == TestClock.start)
        #expect(grant.expiresAt == TestClock.start + lifetime)
        #expect(grant.persistent == true)
        #expect(await fixture.store.grant(id: grant.id, now: TestClock.start) == grant)
    }

    @Test func grantIDIs128RandomBitsInBase64URL() async throws {
        let fixture = try await GrantFixture.make()
        let first = try await fixture.signIn(.webapi, kinds: []).grant.id
        let second = try await fixture.signIn(.webapi, kinds: []).grant.id
        #expect(first.count == 22)
        #expect(Data(base64URL: first)?.count == 16)
        #expect(first != second)
    }

    @Test func notRememberedSignInIsNotPersistent() async throws {
        let fixture = try await GrantFixture.make()
        #expect(try await fixture.signIn(.aspnet, kinds: [.applicationCookie]).grant.persistent == false)
    }

    @Test func onlyTheRequestedKindsAreMinted() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.webapi, kinds: [.accessToken])
        #expect(signedIn.artifacts.accessToken != nil)
        #expect(signedIn.artifacts.accessTokenLifetime == 3_600)
        #expect(signedIn.artifacts.applicationCookie == nil)
        #expect(signedIn.artifacts.sessionToken == nil)
        #expect(signedIn.artifacts.serviceStack == nil)
    }

    @Test func everyKindOfOnePersistentSignInResolvesToTheSameGrant() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(
            .servicestack, kinds: [.applicationCookie, .accessToken, .sessionToken, .serviceStackSession], remember: true)
        let session = try #require(signedIn.artifacts.serviceStack)
        let artifacts: [PresentedArtifact] = [
            .applicationCookie(try #require(signedIn.artifacts.applicationCookie)),
            .bearer(try #require(signedIn.artifacts.accessToken)),
            .bearer(try #require(signedIn.artifacts.sessionToken)),
            .serviceStackSession(session.sessionID),
            .serviceStackSession(session.permanentID),
            .bearer(session.bearerToken),
        ]
        for artifact in artifacts {
            #expect(try await fixture.service.resolve(artifact) == signedIn.grant)
        }
    }
}
