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

    @Test(arguments: [
        Credential.bearer("token"),
        .refreshToken("refresh"),
        .providerToken(provider: "facebook", token: "t", secret: nil),
    ])
    func nonPasswordCredentialIsNotThisAuthenticatorsBusiness(credential: Credential) async throws {
        let request = SignInRequest(credential: credential, dialect: .servicestack)
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
