import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("ASP.NET application cookie ticket")
struct ApplicationCookieTests {
    @Test func ticketResolvesToItsGrant() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.aspnet, kinds: [.applicationCookie])
        let ticket = try #require(signedIn.artifacts.applicationCookie)
        #expect(try await fixture.service.resolve(.applicationCookie(ticket)) == signedIn.grant)
    }

    @Test func ticketIsOpaqueUnpaddedBase64URL() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.aspnet, kinds: [.applicationCookie])
        let ticket = try #require(signedIn.artifacts.applicationCookie)
        #expect(ticket.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(!ticket.contains(signedIn.grant.id))
        let sealed = try #require(Data(base64URL: ticket))
        #expect(!String(decoding: sealed, as: UTF8.self).contains(signedIn.grant.id))
    }

    @Test func ticketExpiresAfterItsLifetimeEvenWhileTheGrantLives() async throws {
        // A servicestack grant outlives the ticket's 2 hours; the ticket must still end.
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.servicestack, kinds: [.applicationCookie, .serviceStackSession], remember: true)
        let ticket = try #require(signedIn.artifacts.applicationCookie)
        let permanentID = try #require(signedIn.artifacts.serviceStack).permanentID
        fixture.clock.advance(by: GrantFixture.ticketLifetime - 1)
        #expect(try await fixture.service.resolve(.applicationCookie(ticket)) == signedIn.grant)
        fixture.clock.advance(by: 1)
        #expect(try await fixture.service.resolve(.applicationCookie(ticket)) == nil)
        #expect(try await fixture.service.resolve(.serviceStackSession(permanentID)) == signedIn.grant)
    }

    @Test(arguments: [0, 5, 20, 40])
    func tamperedTicketIsRefused(offset: Int) async throws {
        let fixture = try await GrantFixture.make()
        let ticket = try #require(try await fixture.signIn(.aspnet, kinds: [.applicationCookie]).artifacts.applicationCookie)
        var characters = Array(ticket)
        characters[offset] = characters[offset] == "A" ? "B" : "A"
        #expect(try await fixture.service.resolve(.applicationCookie(String(characters))) == nil)
    }

    @Test func ticketSealedWithAnotherKeyIsRefused() async throws {
        let store = MemoryGrantStore()
        let ours = try await GrantFixture.make(store: store)
        let theirs = try await GrantFixture.make(store: store)
        let ticket = try #require(try await theirs.signIn(.aspnet, kinds: [.applicationCookie]).artifacts.applicationCookie)
        #expect(try await ours.service.resolve(.applicationCookie(ticket)) == nil)
    }

    @Test(arguments: ["", "not a ticket", "AAAA", String(repeating: "A", count: 120), "a.b.c"])
    func garbageTicketIsRefused(text: String) async throws {
        let fixture = try await GrantFixture.make()
        #expect(try await fixture.service.resolve(.applicationCookie(text)) == nil)
    }
}
