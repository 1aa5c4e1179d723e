import Foundation
import GatehouseCore
import Grants
import Testing

@Suite("Grant keys")
struct GrantKeysTests {
    static func temporaryDirectory() -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("gatehouse-keys-\(UUID().uuidString)/state")
    }

    static func settings(_ keysJSON: String? = nil) throws -> KeySettings {
        try GatewayConfig.parse(Array(GrantFixture.configJSON(keys: keysJSON).utf8)).keys
    }

    @Test func keysPersistAcrossLoadsFromTheSameDirectory() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let first = try await GrantKeys.load(try Self.settings(), stateDirectory: directory)
        let second = try await GrantKeys.load(try Self.settings(), stateDirectory: directory)
        #expect(first.keyID == second.keyID)

        // A cookie and a JWT from before the restart still work after it.
        let store = MemoryGrantStore()
        let before = try await GrantFixture.make(keys: first, store: store)
        let after = try await GrantFixture.make(keys: second, store: store)
        let signedIn = try await before.signIn(.aspnet, kinds: [.applicationCookie, .accessToken])
        #expect(try await after.service.resolve(.applicationCookie(try #require(signedIn.artifacts.applicationCookie)))
            == signedIn.grant)
        #expect(try await after.service.resolve(.bearer(try #require(signedIn.artifacts.accessToken))) == signedIn.grant)
    }

    @Test func anotherDirectoryGetsOtherKeys() async throws {
        let one = Self.temporaryDirectory()
        let two = Self.temporaryDirectory()
        defer {
            for directory in [one, two] {
                try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent)
            }
        }
        #expect(try await GrantKeys.load(try Self.settings(), stateDirectory: one).keyID
            != (try await GrantKeys.load(try Self.settings(), stateDirectory: two).keyID))
    }

    @Test func keyFileIsOwnerOnly() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        _ = try await GrantKeys.load(try Self.settings(), stateDirectory: directory)
        let path = (directory as NSString).appendingPathComponent("keys.json")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let document = try #require(JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        guard case .array(let stored)? = document["keys"] else { Issue.record("keys.json has no keys"); return }
        #expect(stored.compactMap { $0["kind"]?.stringValue } == ["signing", "sealing"])
        #expect(stored.first?["material"]?.stringValue?.hasPrefix("-----BEGIN PRIVATE KEY-----") == true)
        #expect(Data(base64Encoded: stored.last?["material"]?.stringValue ?? "")?.count == 32)
    }

    @Test func configuredKeysWinAndTouchNoFiles() async throws {
        let directory = Self.temporaryDirectory()
        let keys = try await JWKSTests.configuredKeys()
        #expect(keys.keyID == JWKSTests.thumbprint)
        let escaped = JWKSTests.pem.replacingOccurrences(of: "\n", with: "\\n")
        let sealing = Data(repeating: 1, count: 32).base64EncodedString()
        let loaded = try await GrantKeys.load(
            try Self.settings(#"{ "jwtPrivateKey": "\#(escaped)", "cookieSealingKey": "\#(sealing)" }"#),
            stateDirectory: directory)
        #expect(loaded.keyID == JWKSTests.thumbprint)
        #expect(FileManager.default.fileExists(atPath: directory) == false)
    }

    @Test func configuredSigningKeyIsKeptAlongsideAGeneratedSealingKey() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let escaped = JWKSTests.pem.replacingOccurrences(of: "\n", with: "\\n")
        let settings = try Self.settings(#"{ "jwtPrivateKey": "\#(escaped)" }"#)
        #expect(try await GrantKeys.load(settings, stateDirectory: directory).keyID == JWKSTests.thumbprint)
        let path = (directory as NSString).appendingPathComponent("keys.json")
        let document = try #require(JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        guard case .array(let stored)? = document["keys"] else { Issue.record("keys.json has no keys"); return }
        #expect(stored.compactMap { $0["kind"]?.stringValue } == ["sealing"])
    }

    @Test func invalidConfiguredKeyIsNamed() async throws {
        await #expect(throws: GrantKeysError.invalidConfiguredKey(key: "keys.jwtPrivateKey")) {
            try await GrantKeys.load(try Self.settings(#"{ "jwtPrivateKey": "not a pem" }"#), stateDirectory: Self.temporaryDirectory())
        }
    }

    @Test func corruptKeyFileIsNotSilentlyReplaced() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("keys.json")
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: path))
        await #expect(throws: GrantKeysError.unreadableKeyFile(path: path, reason: "not a keys.json document")) {
            try await GrantKeys.load(try Self.settings(), stateDirectory: directory)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("{ not json".utf8))
    }
}
