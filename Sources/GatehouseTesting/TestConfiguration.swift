import Foundation
import GatehouseCore

/// The configuration the end-to-end tests run on: four local users with cheap hashes, every dialect on,
/// and a fresh state directory so keys never leak between tests.
public enum TestConfiguration {
    /// Passwords of the test users, by user name.
    public static let passwords = [
        "admin": "admin-pass", "editor": "editor-pass", "legacy": "legacy-pass", "inactive": "inactive-pass",
    ]

    /// The HS256 secret partners sign SSO access tokens with in tests.
    public static let partnerSecret = "partner-secret-partner-secret-0123456789"

    /// The BaaS API key the tests send.
    public static let apiKey = "browser api.example 525ad5d6993247cccb083e5a"

    /// The document; `servicestack` is the JSON of `dialects.servicestack` (to pin a casing or token cookies).
    public static func json(stateDirectory: String, servicestack: String = #"{ "enabled": true }"#) -> String {
        """
        {
          "server": { "host": "127.0.0.1", "port": 0 },
          "stateDirectory": "\(stateDirectory)",
          "dialects": {
            "aspnet": { "enabled": true, "routes": ["1", "node2"] },
            "sso": { "enabled": true, "sharedSecret": "\(partnerSecret)" },
            "webapi": { "enabled": true, "tokenLifetimeSeconds": 3600, "issuer": "gatehouse-test", "audience": "legacy-apps" },
            "baas": { "enabled": true, "apiKeys": ["\(apiKey)"] },
            "servicestack": \(servicestack)
          },
          "authenticators": [
            {
              "name": "local", "type": "local",
              "roleDefinitions": { "admin": { "id": "7fce52a4-5fba-452d-be64-0a6f7c510a0b", "displayName": "System administrator" } },
              "users": [
                { "id": 1, "uuid": "a564ef59-085b-4803-b514-37288e32709e", "externalId": 1001, "username": "Admin",
                  "email": "admin@example.com", "passwordHash": "$2b$04$svowZDNRpIDzJ3NgNMjMAuftfc8ZPIrg1g8TdVRWh8KEk5piJ9HAm",
                  "displayName": "System administrator", "roles": ["admin"], "permissions": ["users.manage"], "tags": [7, 9],
                  "emails": { "secondary": "secondary@email.com", "work": "work@email.com", "other": "other@email.com" },
                  "name": { "prefix": "prefix", "firstName": "first name", "middleName": "middle name", "lastName": "last name",
                            "maidenName": "maiden name", "suffix": "jr" },
                  "extras": { "extra1": "value1", "extra2": "value2" },
                  "createdAt": "2013-11-07T12:00:00Z", "updatedAt": "2013-11-07T12:00:00Z" },
                { "id": 2, "username": "editor", "email": "editor@example.com",
                  "passwordHash": "$pbkdf2-sha256$1000$ZUK97mhEfPHJGsMAX0TGtQ$K2hE8zsMG8mPrqrbmU/uvOTIbMsjklZlYh4NigGuCBc",
                  "displayName": "Demo editor", "roles": ["editor"], "tags": [2] },
                { "id": 3, "username": "legacy", "email": "legacy@example.com",
                  "passwordHash": "AG0uOiomFtSYeBLLZnt1z953yErDPBSVq308DmvtN3OObF7vZ4tnVLSiIJ5JLh9mVw==" },
                { "id": 4, "username": "inactive", "email": "inactive@example.com", "active": false,
                  "passwordHash": "$2b$04$MH5ID9LcweYY4EAUwpHVLuliDGLkGyNKpgFGR6gaiBaG4TruODXVi" }
              ]
            }
          ],
          "store": { "type": "memory" }
        }
        """
    }

    /// A parsed test configuration in a new temporary state directory.
    public static func make(servicestack: String = #"{ "enabled": true }"#) throws -> GatewayConfig {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-test-\(UUID().uuidString)").path
        return try GatewayConfig.parse(Array(json(stateDirectory: directory, servicestack: servicestack).utf8))
    }
}

extension TestConfiguration {
    /// A front gateway whose only authenticator forwards to a legacy upstream in `dialect` at `url`. Its timeouts
    /// are generous: tests run in parallel on a small machine, and "down" is a refused connection, never a wait.
    public static func front(upstream dialect: DialectID, url: String) throws -> GatewayConfig {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-front-\(UUID().uuidString)").path
        let json = """
            {
              "server": { "host": "127.0.0.1", "port": 0 },
              "stateDirectory": "\(directory)",
              "dialects": { "aspnet": { "routes": ["1"] }, "baas": { "apiKeys": ["\(apiKey)"] } },
              "authenticators": [
                { "name": "legacy-\(dialect.rawValue)", "type": "upstream", "dialect": "\(dialect.rawValue)",
                  "url": "\(url)", "timeoutSeconds": 20, "connectTimeoutSeconds": 10, "apiKey": "\(apiKey)" }
              ]
            }
            """
        return try GatewayConfig.parse(Array(json.utf8))
    }
}
