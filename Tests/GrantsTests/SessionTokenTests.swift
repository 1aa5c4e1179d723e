import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("BaaS session token")
struct SessionTokenTests {
    @Test func tokenResolvesAsABearer() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.baas, kinds: [.sessionToken])
        let token = try #require(signedIn.artifacts.sessionToken)
        #expect(try await fixture.service.resolve(.bearer(token)) == signedIn.grant)
    }

    @Test func tokenIs256RandomBits() async throws {
        let fixture = try await GrantFixture.make()
        let token = try #require(try await fixture.signIn(.baas, kinds: [.sessionToken]).artifacts.sessionToken)
        #expect(Data(base64URL: token)?.count == 32)
    }

    @Test func everySignInGetsANewToken() async throws {
        let fixture = try await GrantFixture.make()
        let first = try await fixture.signIn(.baas, kinds: [.sessionToken])
        let second = try await fixture.signIn(.baas, kinds: [.sessionToken])
        let firstToken = try #require(first.artifacts.sessionToken)
        let secondToken = try #require(second.artifacts.sessionToken)
        #expect(firstToken != secondToken)
        #expect(try await fixture.service.resolve(.bearer(firstToken)) == first.grant)
        #expect(try await fixture.service.resolve(.bearer(secondToken)) == second.grant)
    }

    @Test func storeKeepsOnlyAHashOfTheToken() async throws {
        let fixture = try await GrantFixture.make()
        let token = try #require(try await fixture.signIn(.baas, kinds: [.sessionToken]).artifacts.sessionToken)
        #expect(try await fixture.store.grantID(forHandle: token, now: TestClock.start) == nil)
    }

    @Test func tokenLivesForTheGrantsTenYears() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.baas, kinds: [.sessionToken])
        let token = try #require(signedIn.artifacts.sessionToken)
        fixture.clock.advance(by: 315_360_000 - 1)
        #expect(try await fixture.service.resolve(.bearer(token)) == signedIn.grant)
        fixture.clock.advance(by: 1)
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test(arguments: ["", "x", String(repeating: "A", count: 43), "Zm9vYmFy"])
    func unknownTokenIsRefused(token: String) async throws {
        let fixture = try await GrantFixture.make()
        _ = try await fixture.signIn(.baas, kinds: [.sessionToken])
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    @Test func serviceStackSessionIDIsNotASessionToken() async throws {
        let fixture = try await GrantFixture.make()
        let session = try #require(try await fixture.signIn(.servicestack, kinds: [.serviceStackSession]).artifacts.serviceStack)
        #expect(try await fixture.service.resolve(.bearer(session.sessionID)) == nil)
        let token = try #require(try await fixture.signIn(.baas, kinds: [.sessionToken]).artifacts.sessionToken)
        #expect(try await fixture.service.resolve(.serviceStackSession(token)) == nil)
    }
}
