import Crypto
import Foundation
import GatehouseCore

extension GrantKeys {
    /// From configuration where given; otherwise generated once and kept in `<stateDirectory>/keys.json` (mode 0600),
    /// read back on the next start so a restart does not sign everyone out. Creates the directory.
    ///
    /// A configured key always wins over the file. When both keys are configured the state
    /// directory is not touched.
    ///
    /// With `shared` (the `postgres` store), the keys live in the database instead: the first replica to
    /// start creates them, and every replica signs and seals with the same ones.
    public static func load(
        _ settings: KeySettings, stateDirectory: String, shared: (any SharedKeyStore)? = nil
    ) async throws -> GrantKeys {
        let configuredSigning = try settings.jwtPrivateKeyPEM.map { pem in
            guard let key = signingKey(pem: pem) else {
                throw GrantKeysError.invalidConfiguredKey(key: "keys.jwtPrivateKey")
            }
            return key
        }
        let configuredSealing = try settings.cookieSealingKey.map { base64 in
            guard let key = sealingKey(base64: base64) else {
                throw GrantKeysError.invalidConfiguredKey(key: "keys.cookieSealingKey")
            }
            return key
        }
        if let configuredSigning, let configuredSealing {
            return GrantKeys(signingKey: configuredSigning, sealingKey: configuredSealing)
        }

        // What neither configuration nor storage provides is generated, and kept.
        let fresh = StoredKeys(
            jwtPrivateKey: configuredSigning == nil ? P256.Signing.PrivateKey().pemRepresentation : nil,
            cookieSealingKey: configuredSealing == nil ? SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() } : nil)
        let stored: StoredKeys
        let source: String
        if let shared {
            stored = try await shared.keys(creatingIfAbsent: fresh)
            source = "the store's gatehouse_keys table"
        } else {
            let file = KeyFile(directory: stateDirectory)
            var contents = try file.load() ?? StoredKeys()
            let before = contents
            contents.jwtPrivateKey = contents.jwtPrivateKey ?? fresh.jwtPrivateKey
            contents.cookieSealingKey = contents.cookieSealingKey ?? fresh.cookieSealingKey
            if contents != before { try file.save(contents) }
            stored = contents
            source = file.path
        }
        let storedSigning = try stored.jwtPrivateKey.map { pem in
            guard let key = signingKey(pem: pem) else {
                throw GrantKeysError.unreadableKeyFile(path: source, reason: "jwtPrivateKey is not a P-256 PEM key")
            }
            return key
        }
        let storedSealing = try stored.cookieSealingKey.map { base64 in
            guard let key = sealingKey(base64: base64) else {
                throw GrantKeysError.unreadableKeyFile(path: source, reason: "cookieSealingKey is not the base64 of 32 bytes")
            }
            return key
        }

        guard let signing = configuredSigning ?? storedSigning, let sealing = configuredSealing ?? storedSealing else {
            throw GrantKeysError.unreadableKeyFile(path: source, reason: "holds no key of a kind it was asked to keep")
        }
        return GrantKeys(signingKey: signing, sealingKey: sealing)
    }

    /// Checks, as `gatehouse check-config` does, that `load` will accept the configured signing key; reads no
    /// files. (`GatewayConfig.parse` has already checked `keys.cookieSealingKey`, which needs no crypto.)
    public static func validate(_ settings: KeySettings) throws(ConfigError) {
        guard let pem = settings.jwtPrivateKeyPEM, signingKey(pem: pem) == nil else { return }
        throw ConfigError(issues: [ConfigIssue(path: "keys.jwtPrivateKey", message: "must be the PEM of a P-256 private key")])
    }

    private static func signingKey(pem: String) -> P256.Signing.PrivateKey? {
        try? P256.Signing.PrivateKey(pemRepresentation: pem)
    }

    private static func sealingKey(base64: String) -> SymmetricKey? {
        guard let data = Data(base64Encoded: base64), data.count == 32 else { return nil }
        return SymmetricKey(data: data)
    }
}
