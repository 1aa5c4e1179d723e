import Foundation
import GatehouseCore
import Grants
import Testing

/// `gatehouse keys rotate` on the state directory's `keys.json`: a new key is published at once, signs from
/// its activation on, and the replaced key keeps verifying until the last artifact it made has expired.
@Suite("Key rotation")
struct KeyRotationTests {
    static let lifetimes = KeyLifetimes(signing: 3_600, sealing: 7_200, publishDelay: 20)
    static let t0 = TestClock.start

    @Test func aRotatedKeyIsPublishedAtOnceSignsFromItsActivationAndTheOldOneRetiresAfterItsLastToken() async throws {
        let directory = GrantKeysTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let settings = try GrantKeysTests.settings()
        let original = try await GrantKeys.load(settings, stateDirectory: directory, now: Self.t0)

        let (now, activated) = try await GrantKeys.rotate(
            settings, stateDirectory: directory, shared: nil, lifetimes: Self.lifetimes, now: Self.t0)
        // Published now, not yet signing.
        #expect(now.keyID == original.keyID)
        #expect(now.keyIDs.count == 2)
        #expect(activated.keyID != original.keyID)
        #expect(activated.keyIDs == [activated.keyID, original.keyID])

        func ring(at seconds: TimeInterval) async throws -> GrantKeys {
            try await GrantKeys.load(settings, stateDirectory: directory, now: Self.t0 + seconds)
        }
        #expect(try await ring(at: 19.9).keyID == original.keyID)
        #expect(try await ring(at: 20).keyID == activated.keyID)
        // The old signing key verifies until activation + the longest token lifetime, exclusive.
        #expect(try await ring(at: 20 + 3_599).keyIDs == [activated.keyID, original.keyID])
        #expect(try await ring(at: 20 + 3_600).keyIDs == [activated.keyID])
        // The old sealing key opens tickets for their longer lifetime.
        #expect(try await ring(at: 20 + 7_199).sealingKeyCount == 2)
        #expect(try await ring(at: 20 + 7_200).sealingKeyCount == 1)
    }

    @Test func artifactsMadeBeforeARotationStillOpenAfterItAndNewOnesUseTheNewKeys() async throws {
        let directory = GrantKeysTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let settings = try GrantKeysTests.settings()
        let store = MemoryGrantStore()
        let before = try await GrantFixture.make(keys: try await GrantKeys.load(settings, stateDirectory: directory), store: store)
        let old = try await before.signIn(.aspnet, kinds: [.applicationCookie, .accessToken])
        let oldToken = try #require(old.artifacts.accessToken)
        let oldCookie = try #require(old.artifacts.applicationCookie)

        let (_, activated) = try await GrantKeys.rotate(
            settings, stateDirectory: directory, shared: nil, lifetimes: KeyLifetimes(signing: 3_600, sealing: 3_600, publishDelay: 0))
        try await before.service.use(activated)
        let new = try await before.signIn(.aspnet, kinds: [.applicationCookie, .accessToken])
        let newToken = try #require(new.artifacts.accessToken)
        #expect(try TokenInspection.header(of: newToken)["kid"] == activated.keyID)
        #expect(try TokenInspection.header(of: oldToken)["kid"] != activated.keyID)
        #expect(try await before.service.resolve(.bearer(oldToken)) == old.grant)
        #expect(try await before.service.resolve(.applicationCookie(oldCookie)) == old.grant)
        #expect(try await before.service.resolve(.bearer(newToken)) == new.grant)
        #expect(try await before.service.resolve(.applicationCookie(try #require(new.artifacts.applicationCookie))) == new.grant)
        // The JWKS lists both keys, the active one first.
        let jwks = JSONValue.parse(before.service.jwksDocument())
        guard case .array(let keys)? = jwks?["keys"] else { Issue.record("no keys"); return }
        #expect(keys.map { $0["kid"]?.stringValue } == activated.keyIDs)
    }

    @Test func keysGivenInTheConfigurationAreNotRotated() async throws {
        let sealing = Data(repeating: 7, count: 32).base64EncodedString()
        let settings = try GrantKeysTests.settings(#"{ "cookieSealingKey": "\#(sealing)" }"#)
        await #expect(throws: GrantKeysError.configuredKeysCannotRotate) {
            try await GrantKeys.rotate(settings, stateDirectory: GrantKeysTests.temporaryDirectory(), shared: nil, lifetimes: Self.lifetimes)
        }
    }

    @Test func aKeysFileFromBeforeRotationIsReadAsTheFirstKeys() async throws {
        let directory = GrantKeysTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let original = try await GrantKeys.load(try GrantKeysTests.settings(), stateDirectory: directory)
        // The file as versions before rotation wrote it: the two keys under their configuration names.
        let path = (directory as NSString).appendingPathComponent("keys.json")
        let written = try #require(JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        guard case .array(let keys)? = written["keys"], keys.count == 2,
            let pem = keys.first(where: { $0["kind"] == .string("signing") })?["material"]?.stringValue,
            let seal = keys.first(where: { $0["kind"] == .string("sealing") })?["material"]?.stringValue
        else { Issue.record("keys.json holds no two keys"); return }
        let legacy = JSONValue.object([("jwtPrivateKey", .string(pem)), ("cookieSealingKey", .string(seal))])
        try Data(legacy.bytes).write(to: URL(fileURLWithPath: path))
        #expect(try await GrantKeys.load(try GrantKeysTests.settings(), stateDirectory: directory).keyID == original.keyID)
    }
}
