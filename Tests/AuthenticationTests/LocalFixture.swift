import Foundation
import GatehouseCore

@testable import Authentication

/// A `gateway.json` with one local authenticator, parsed the way the server parses it.
enum LocalFixture {
    /// The time `now` returns while an authenticator is built.
    static let builtAt = Date(timeIntervalSince1970: 1_700_000_000)

    /// Passwords of the users below (hashes from `Vectors/hashes.json`, made by Python).
    static let adminPassword = "correct horse battery staple"  // bcrypt, cost 4
    static let editorPassword = "Pa$$w0rd"  // passlib pbkdf2-sha256, 2000 rounds
    static let retiredPassword = "x"  // ASP.NET Identity V3, HMAC-SHA512

    static let document = #"""
        {
          "authenticators": [
            {
              "name": "local", "type": "local",
              "roleDefinitions": { "admin": { "id": "9c4b5f3e-54d4-4c6b-a1d9-2f0d0c8f1a11", "displayName": "Administrators" } },
              "users": [
                { "id": 1, "uuid": "6F9619FF-8B86-D011-B42D-00C04FC964FF", "externalId": 42,
                  "username": "admin", "email": "admin@example.com",
                  "passwordHash": "$2b$04$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u",
                  "displayName": "System administrator",
                  "emails": { "work": "ada@work.example.com" },
                  "name": { "firstName": "Ada", "lastName": "Lovelace" },
                  "roles": ["admin", "editor"], "permissions": ["users.manage"], "tags": [3, 5],
                  "extras": { "department": "IT" }, "active": true,
                  "createdAt": "2013-11-07T12:00:00Z", "updatedAt": "2014-01-02T03:04:05Z" },
                { "id": 2, "username": "Editor", "email": "Editor@Example.com",
                  "passwordHash": "$pbkdf2-sha256$2000$dW4NISTE.H.v1RpDKAXg3A$QDmO.VfLgfukeOaenUhsbi/HOS2vVh089.Qp99sXPbA" },
                { "id": 3, "username": "retired", "email": "retired@example.com", "active": false,
                  "passwordHash": "AQAAAAIAAARMAAAAGPWXGiRDNJkHZ64czmYJv+JSuNKY2Vky0LsOmIwiMKyc7dmsUcCJmSNDFibg+9BBumyGYvhm12U5cVdommEutlDUiGX2rTn5D/MndskUjTt4jM5YeR9iT+s=" }
              ]
            }
          ]
        }
        """#

    /// The settings of the only authenticator in `document` (or another document of the same shape).
    static func settings(_ text: String = document) throws -> LocalAuthenticatorSettings {
        let config = try GatewayConfig.parse(Array(text.utf8))
        guard case .local(let settings)? = config.authenticators.first else {
            throw FixtureError.notLocal
        }
        return settings
    }

    static func authenticator() throws -> LocalAuthenticator {
        try LocalAuthenticator(settings: settings(), now: { builtAt })
    }

    static func signIn(_ login: String, _ password: String) -> SignInRequest {
        SignInRequest(credential: .password(login: login, secret: password), dialect: .baas)
    }

    enum FixtureError: Error {
        case notLocal
    }
}
