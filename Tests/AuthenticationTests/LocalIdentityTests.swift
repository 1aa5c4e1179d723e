import Foundation
import GatehouseCore
import Testing

@testable import Authentication

/// The identity a local user signs in as, field by field.
@Suite struct LocalIdentityTests {
    @Test func fullyConfiguredUserSignsInAsItsConfiguration() async throws {
        let identity = try await LocalFixture.authenticator()
            .authenticate(LocalFixture.signIn("admin", LocalFixture.adminPassword))
        let expected = Identity(
            subject: "6f9619ff-8b86-d011-b42d-00c04fc964ff",
            numericID: 1,
            externalID: 42,
            userName: "admin",
            displayName: "System administrator",
            email: EmailAddresses(primary: "admin@example.com", work: "ada@work.example.com"),
            name: PersonName(firstName: "Ada", lastName: "Lovelace"),
            roles: [
                Role(name: "admin", id: "9c4b5f3e-54d4-4c6b-a1d9-2f0d0c8f1a11", displayName: "Administrators"),
                // uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:gatehouse:role"), "editor") in Python.
                Role(name: "editor", id: "ca30bec0-f608-5520-8ccf-5d17182cc374", displayName: "editor"),
            ],
            permissions: ["users.manage"],
            tags: [3, 5],
            extras: ["department": "IT"],
            active: true,
            createdAt: Date(timeIntervalSince1970: 1_383_825_600),
            updatedAt: Date(timeIntervalSince1970: 1_388_631_845),
            authenticator: "local"
        )
        #expect(identity == expected)
    }

    @Test func minimalUserGetsDerivedSubjectAndBuildTime() async throws {
        let identity = try await LocalFixture.authenticator()
            .authenticate(LocalFixture.signIn("editor", LocalFixture.editorPassword))
        let expected = Identity(
            // uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:gatehouse:local-user"), "local:2") in Python.
            subject: "f76d448c-b37d-5c52-9c52-b9d2854e2963",
            numericID: 2,
            userName: "Editor",
            email: EmailAddresses(primary: "Editor@Example.com"),
            active: true,
            createdAt: LocalFixture.builtAt,
            updatedAt: LocalFixture.builtAt,
            authenticator: "local"
        )
        #expect(identity == expected)
    }

    @Test func roleNameUUIDMatchesPythonUUID5ForNonASCIINames() {
        // uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:gatehouse:role"), "Админ") in Python.
        #expect(NameBasedUUID.role("Админ") == "4dda1c3b-49ab-536d-816d-77d801a2bf44")
    }

    @Test func identityByNumericIDIsTheSignInIdentity() async throws {
        let authenticator = try LocalFixture.authenticator()
        let signedIn = try await authenticator.authenticate(LocalFixture.signIn("admin", LocalFixture.adminPassword))
        #expect(authenticator.identity(numericID: 1) == signedIn)
    }

    @Test func identityByNumericIDIsNilForUnknownOrInactiveUsers() throws {
        let authenticator = try LocalFixture.authenticator()
        #expect(authenticator.identity(numericID: 99) == nil)
        #expect(authenticator.identity(numericID: 3) == nil)
    }
}
