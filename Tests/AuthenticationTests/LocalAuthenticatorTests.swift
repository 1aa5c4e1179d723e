import Foundation
import GatehouseCore
import Testing

@testable import Authentication

@Suite struct LocalAuthenticatorTests {
    @Test(arguments: ["admin", "ADMIN", "Admin"])
    func signsInByUserNameInAnyCase(login: String) async throws {
        let identity = try await LocalFixture.authenticator()
            .authenticate(LocalFixture.signIn(login, LocalFixture.adminPassword))
        #expect(identity?.numericID == 1)
        #expect(identity?.userName == "admin")
    }

    @Test(arguments: ["editor@example.com", "EDITOR@EXAMPLE.COM", "Editor@Example.com"])
    func signsInByEmailInAnyCase(login: String) async throws {
        let identity = try await LocalFixture.authenticator()
            .authenticate(LocalFixture.signIn(login, LocalFixture.editorPassword))
        #expect(identity?.numericID == 2)
        #expect(identity?.userName == "Editor")
    }

    @Test func wrongPasswordIsInvalidCredentials() async throws {
        let authenticator = try LocalFixture.authenticator()
        await #expect(throws: AuthFailure.invalidCredentials) {
            try await authenticator.authenticate(LocalFixture.signIn("admin", LocalFixture.editorPassword))
        }
    }

    @Test func passwordsAreCaseSensitive() async throws {
        let authenticator = try LocalFixture.authenticator()
        await #expect(throws: AuthFailure.invalidCredentials) {
            try await authenticator.authenticate(LocalFixture.signIn("admin", LocalFixture.adminPassword.uppercased()))
        }
    }

    @Test func unknownLoginIsNotThisAuthenticatorsBusiness() async throws {
        let identity = try await LocalFixture.authenticator()
            .authenticate(LocalFixture.signIn("nobody@example.com", LocalFixture.adminPassword))
        #expect(identity == nil)
    }

    @Test func unknownLoginIsNilEvenWithNoUsersConfigured() async throws {
        let empty = #"{ "authenticators": [ { "name": "empty", "type": "local", "users": [] } ] }"#
        let authenticator = try LocalAuthenticator(settings: LocalFixture.settings(empty))
        #expect(try await authenticator.authenticate(LocalFixture.signIn("admin", "x")) == nil)
    }

    @Test func inactiveUserWithTheRightPasswordIsInvalidCredentials() async throws {
        let authenticator = try LocalFixture.authenticator()
        await #expect(throws: AuthFailure.invalidCredentials) {
            try await authenticator.authenticate(LocalFixture.signIn("retired", LocalFixture.retiredPassword))
        }
    }

    @Test func inactiveUserWithAWrongPasswordIsInvalidCredentials() async throws {
        let authenticator = try LocalFixture.authenticator()
        await #expect(throws: AuthFailure.invalidCredentials) {
            try await authenticator.authenticate(LocalFixture.signIn("retired", "y"))
        }
    }

    @Test func bearerCredentialIsNotThisAuthenticatorsBusiness() async throws {
        let request = SignInRequest(credential: .bearer("token"), dialect: .servicestack)
        #expect(try await LocalFixture.authenticator().authenticate(request) == nil)
    }

    @Test func nameIsTheConfiguredName() throws {
        #expect(try LocalFixture.authenticator().name == "local")
    }

    @Test func unrecognisedHashNamesItsExactKeyPath() throws {
        let text = LocalFixture.document
            .replacingOccurrences(of: "$2b$04$h1xK6A7Ii4awvj16XL5qH.", with: "$2q$04$h1xK6A7Ii4awvj16XL5qH.")
            .replacingOccurrences(of: "$pbkdf2-sha256$2000$", with: "$pbkdf2-sha256$0$")
        let settings = try LocalFixture.settings(text)
        #expect {
            try LocalAuthenticator(settings: settings)
        } throws: { error in
            let issues = (error as? ConfigError)?.issues ?? []
            return issues.map(\.path) == [
                "authenticators[0].users[0].passwordHash", "authenticators[0].users[1].passwordHash",
            ]
        }
    }

    @Test func unrecognisedHashMessageDoesNotQuoteTheHash() throws {
        let text = LocalFixture.document.replacingOccurrences(of: "$2b$04$", with: "$2q$04$")
        let settings = try LocalFixture.settings(text)
        do {
            _ = try LocalAuthenticator(settings: settings)
            Issue.record("expected a ConfigError")
        } catch {
            #expect(error.issues.count == 1)
            #expect(!error.description.contains("h1xK6A7Ii4awvj16XL5qH"))
        }
    }
}

/// DESIGN.md: an unknown user costs the same time as a wrong password — also when the users' hashes
/// differ in scheme and cost, which the time of a wrong password would otherwise give away.
@Suite struct LocalAuthenticatorTimingTests {
    @Test func everyCheckLastsAsLongAsTheSlowestUsersWould() async throws {
        // A fast user (bcrypt cost 4, about a millisecond) next to a slow one (PBKDF2, 600,000 rounds).
        let slowHash = try PasswordHash.make("slow secret", scheme: .pbkdf2Sha256)
        let document = LocalFixture.document.replacingOccurrences(
            of: "$pbkdf2-sha256$2000$dW4NISTE.H.v1RpDKAXg3A$QDmO.VfLgfukeOaenUhsbi/HOS2vVh089.Qp99sXPbA", with: slowHash)
        let authenticator = try LocalAuthenticator(settings: LocalFixture.settings(document), now: { LocalFixture.builtAt })
        let slowCheck = try #require(PasswordHash(parsing: slowHash))
        let slow = (0..<2).map { _ in ContinuousClock().measure { _ = slowCheck.verify("wrong") } }.min() ?? .zero
        #expect(slow > .milliseconds(20), "the slow hash must be clearly slower than bcrypt cost 4 for this test to mean anything")

        let clock = ContinuousClock()
        for (login, password) in [("admin", "wrong"), ("nobody", "wrong"), ("admin", LocalFixture.adminPassword)] {
            let elapsed = await clock.measure {
                _ = try? await authenticator.authenticate(LocalFixture.signIn(login, password))
            }
            #expect(elapsed >= slow / 2, "\(login): \(elapsed) against \(slow) for the slow user's check")
        }
        // The measured floor is the slow user's check, not the fast one's.
        #expect(try await authenticator.slowestCheck.duration(measuring: []) >= slow / 2)
    }
}
