import Crypto
import Foundation
import GatehouseCore

extension GrantKeys {
    /// From configuration where given; otherwise generated once and kept in `<stateDirectory>/keys.json` (mode 0600),
    /// read back on the next start so a restart does not sign everyone out. Creates the directory.
    ///
    /// A configured key always wins over the file. When both keys are configured the state
    /// directory is not touched.
    public static func load(_ settings: KeySettings, stateDirectory: String) throws -> GrantKeys {
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

        let file = KeyFile(directory: stateDirectory)
        var stored = try file.load() ?? KeyFile.Contents()
        let storedSigning = try stored.jwtPrivateKey.map { pem in
            guard let key = signingKey(pem: pem) else {
                throw GrantKeysError.unreadableKeyFile(path: file.path, reason: "jwtPrivateKey is not a P-256 PEM key")
            }
            return key
        }
        let storedSealing = try stored.cookieSealingKey.map { base64 in
            guard let key = sealingKey(base64: base64) else {
                throw GrantKeysError.unreadableKeyFile(path: file.path, reason: "cookieSealingKey is not the base64 of 32 bytes")
            }
            return key
        }

        // Generate only what neither configuration nor the file provides, and keep it.
        var changed = false
        let signing: P256.Signing.PrivateKey
        if let existing = configuredSigning ?? storedSigning {
            signing = existing
        } else {
            signing = P256.Signing.PrivateKey()
            stored.jwtPrivateKey = signing.pemRepresentation
            changed = true
        }
        let sealing: SymmetricKey
        if let existing = configuredSealing ?? storedSealing {
            sealing = existing
        } else {
            sealing = SymmetricKey(size: .bits256)
            stored.cookieSealingKey = sealing.withUnsafeBytes { Data($0).base64EncodedString() }
            changed = true
        }
        if changed { try file.save(stored) }
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
