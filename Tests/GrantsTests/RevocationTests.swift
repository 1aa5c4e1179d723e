import Foundation
import GatehouseCore
import Grants
import Testing

/// Which of a sign-in's artifacts a test presents.
enum ArtifactChoice: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case cookie, webAPIToken, sessionToken, serviceStackSessionID, serviceStackPermanentID, serviceStackBearer

    var testDescription: String { rawValue }

    func artifact(of signedIn: SignedIn) throws -> PresentedArtifact {
        let artifacts = signedIn.artifacts
        switch self {
        case .cookie: return .applicationCookie(try #require(artifacts.applicationCookie))
        case .webAPIToken: return .bearer(try #require(artifacts.accessToken))
        case .sessionToken: return .bearer(try #require(artifacts.sessionToken))
        case .serviceStackSessionID: return .serviceStackSession(try #require(artifacts.serviceStack).sessionID)
        case .serviceStackPermanentID: return .serviceStackSession(try #require(artifacts.serviceStack).permanentID)
        case .serviceStackBearer: return .bearer(try #require(artifacts.serviceStack).bearerToken)
        }
    }
}

@Suite("Revocation")
struct RevocationTests {
    static let allKinds: Set<ArtifactKind> = [.applicationCookie, .accessToken, .sessionToken, .serviceStackSession]

    @Test(arguments: ArtifactChoice.allCases)
    func revokingThroughAnyArtifactEndsEveryArtifactOfThatGrant(choice: ArtifactChoice) async throws {
        let fixture = try await GrantFixture.make()
        // Persistent, so that `ss-pid` names the grant too.
        let signedIn = try await fixture.signIn(.servicestack, kinds: Self.allKinds, remember: true)
        let bystander = try await fixture.signIn(.servicestack, kinds: Self.allKinds, remember: true)

        try await fixture.service.revoke(try choice.artifact(of: signedIn))

        for other in ArtifactChoice.allCases {
            #expect(try await fixture.service.resolve(try other.artifact(of: signedIn)) == nil, "\(other)")
            #expect(try await fixture.service.resolve(try other.artifact(of: bystander)) == bystander.grant, "\(other)")
        }
        let refreshToken = try #require(signedIn.artifacts.serviceStack).refreshToken
        #expect(try await fixture.service.refreshAccessToken(refreshToken) == nil)
    }

    @Test func revokingRecordsTheGrantIDUntilTheGrantWouldHaveEnded() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.webapi, kinds: [.accessToken])
        try await fixture.service.revoke(.bearer(try #require(signedIn.artifacts.accessToken)))
        #expect(await fixture.store.isRevoked(id: signedIn.grant.id, now: TestClock.start) == true)
        #expect(await fixture.store.isRevoked(id: signedIn.grant.id, now: signedIn.grant.expiresAt) == false)
    }

    @Test(arguments: [
        PresentedArtifact.bearer("garbage"), .bearer(""), .applicationCookie("garbage"), .serviceStackSession("nope"),
    ])
    func revokingAnUnknownArtifactChangesNothing(artifact: PresentedArtifact) async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: Self.allKinds, remember: true)
        try await fixture.service.revoke(artifact)
        for choice in ArtifactChoice.allCases {
            #expect(try await fixture.service.resolve(try choice.artifact(of: signedIn)) == signedIn.grant)
        }
    }
}
