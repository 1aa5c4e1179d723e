import Crypto
import Foundation
import GatehouseCore

/// The keys behind every artifact: P-256 keys that sign Gatehouse's JWTs (ES256) and AES-256 keys
/// that seal `.AspNet.ApplicationCookie` tickets.
///
/// One key of each kind is active (signs, seals); the others still verify or open, until they retire:
/// a key replaced by `gatehouse keys rotate` keeps verifying until the last artifact it made has expired,
/// and a new key is known (published in the JWKS) before it starts signing.
public struct GrantKeys: Sendable {
    /// A signing key and its JWT `kid`.
    struct Signing: Sendable {
        let key: P256.Signing.PrivateKey
        /// RFC 7638 JWK thumbprint (base64url) of the public key.
        let keyID: String

        init(_ key: P256.Signing.PrivateKey) {
            self.key = key
            self.keyID = GrantKeys.thumbprint(of: key.publicKey)
        }
    }

    /// The active signing key first, then every other one that still verifies.
    let signing: [Signing]
    /// The active sealing key first, then every other one that still opens.
    let sealing: [SymmetricKey]

    init(signing: [Signing], sealing: [SymmetricKey]) {
        precondition(!signing.isEmpty && !sealing.isEmpty, "a key ring has an active key of each kind")
        self.signing = signing
        self.sealing = sealing
    }

    init(signingKey: P256.Signing.PrivateKey, sealingKey: SymmetricKey) {
        self.init(signing: [Signing(signingKey)], sealing: [sealingKey])
    }

    /// The active signing key.
    var signingKey: P256.Signing.PrivateKey { signing[0].key }
    /// The active sealing key.
    var sealingKey: SymmetricKey { sealing[0] }
    /// The `kid` of the active signing key.
    public var keyID: String { signing[0].keyID }
    /// The `kid` of every signing key that verifies, the active one first.
    public var keyIDs: [String] { signing.map(\.keyID) }
    /// How many sealing keys open tickets, the active one among them.
    public var sealingKeyCount: Int { sealing.count }

    /// Fresh keys held only in memory, for tests: every call gives different keys.
    public static func generate() -> GrantKeys {
        GrantKeys(signingKey: P256.Signing.PrivateKey(), sealingKey: SymmetricKey(size: .bits256))
    }

    /// A public key's JWK coordinates `x` and `y`, base64url (RFC 7518 §6.2.1).
    static func publicCoordinates(of key: P256.Signing.PrivateKey) -> (x: String, y: String) {
        // x963: 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
        let point = [UInt8](key.publicKey.x963Representation)
        return (Base64URL.encode(point[1..<33]), Base64URL.encode(point[33..<65]))
    }

    /// RFC 7638: SHA-256 over the required members in lexical order, no whitespace.
    static func thumbprint(of key: P256.Signing.PublicKey) -> String {
        let point = [UInt8](key.x963Representation)
        let x = Base64URL.encode(point[1..<33])
        let y = Base64URL.encode(point[33..<65])
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Base64URL.encode(SHA256.hash(data: Array(canonical.utf8)))
    }
}
