import Foundation
import GatehouseCore
import Testing

@testable import Authentication

/// An authenticator with a fixed answer, for chain tests.
struct FixedAuthenticator: Authenticator {
    enum Answer: Sendable {
        case identity
        case unknown
        case failure(any Error)
    }

    var name: String
    var answer: Answer

    func authenticate(_ request: SignInRequest) async throws -> Identity? {
        switch answer {
        case .identity:
            Identity(subject: "subject-\(name)", userName: name, createdAt: .distantPast, updatedAt: .distantPast, authenticator: name)
        case .unknown:
            nil
        case .failure(let error):
            throw error
        }
    }
}

@Suite struct AuthenticatorChainTests {
    static let request = LocalFixture.signIn("admin", "secret")

    struct UpstreamDown: Error, Equatable {}

    @Test func firstAuthenticatorThatKnowsTheLoginDecides() async throws {
        let chain = AuthenticatorChain([
            FixedAuthenticator(name: "first", answer: .unknown),
            FixedAuthenticator(name: "second", answer: .identity),
            FixedAuthenticator(name: "third", answer: .identity),
        ])
        #expect(try await chain.authenticate(Self.request).authenticator == "second")
    }

    @Test func refusalAtTheFirstDoesNotFallThrough() async throws {
        let chain = AuthenticatorChain([
            FixedAuthenticator(name: "first", answer: .failure(AuthFailure.lockedOut(retryAfterSeconds: 900))),
            FixedAuthenticator(name: "second", answer: .identity),
        ])
        await #expect(throws: AuthFailure.lockedOut(retryAfterSeconds: 900)) { try await chain.authenticate(Self.request) }
    }

    @Test func wrongLocalPasswordDoesNotFallThroughToAnAcceptingAuthenticator() async throws {
        let chain = AuthenticatorChain([
            try LocalFixture.authenticator(),
            FixedAuthenticator(name: "accepts-anyone", answer: .identity),
        ])
        await #expect(throws: AuthFailure.invalidCredentials) {
            try await chain.authenticate(LocalFixture.signIn("admin", "wrong password"))
        }
    }

    @Test func unknownLocalLoginGoesOnToTheNextAuthenticator() async throws {
        let chain = AuthenticatorChain([
            try LocalFixture.authenticator(),
            FixedAuthenticator(name: "upstream", answer: .identity),
        ])
        let identity = try await chain.authenticate(LocalFixture.signIn("someone.else", "secret"))
        #expect(identity.authenticator == "upstream")
    }

    @Test func loginNobodyKnowsIsInvalidCredentials() async {
        let chain = AuthenticatorChain([
            FixedAuthenticator(name: "first", answer: .unknown),
            FixedAuthenticator(name: "second", answer: .unknown),
        ])
        await #expect(throws: AuthFailure.invalidCredentials) { try await chain.authenticate(Self.request) }
    }

    @Test func emptyChainIsInvalidCredentials() async {
        await #expect(throws: AuthFailure.invalidCredentials) {
            try await AuthenticatorChain([]).authenticate(Self.request)
        }
    }

    @Test func otherErrorsAreRethrownAsIs() async {
        let chain = AuthenticatorChain([
            FixedAuthenticator(name: "first", answer: .failure(UpstreamDown())),
            FixedAuthenticator(name: "second", answer: .identity),
        ])
        await #expect(throws: UpstreamDown()) { try await chain.authenticate(Self.request) }
    }
}
