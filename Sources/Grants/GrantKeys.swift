import Crypto
import Foundation
import GatehouseCore

/// The keys behind every artifact: the P-256 key that signs Gatehouse's JWTs (ES256) and the
/// AES-256 key that seals `.AspNet.ApplicationCookie` tickets.
public struct GrantKeys: Sendable {
    /// Signs every JWT Gatehouse issues; its public half is published in the JWKS.
    let signingKey: P256.Signing.PrivateKey
    /// Seals cookie tickets (AES-256-GCM).
    let sealingKey: SymmetricKey
    /// The JWT `kid`: RFC 7638 JWK thumbprint (base64url) of the P-256 public key.
    public let keyID: String

    init(signingKey: P256.Signing.PrivateKey, sealingKey: SymmetricKey) {
        self.signingKey = signingKey
        self.sealingKey = sealingKey
        self.keyID = Self.thumbprint(of: signingKey.publicKey)
    }

    /// Fresh keys held only in memory, for tests: every call gives different keys.
    public static func generate() -> GrantKeys {
        GrantKeys(signingKey: P256.Signing.PrivateKey(), sealingKey: SymmetricKey(size: .bits256))
    }

    /// The public key's JWK coordinates `x` and `y`, base64url (RFC 7518 §6.2.1).
    var publicCoordinates: (x: String, y: String) {
        // x963: 0x04 ‖ x (32 bytes) ‖ y (32 bytes).
        let point = [UInt8](signingKey.publicKey.x963Representation)
        return (Base64URL.encode(point[1..<33]), Base64URL.encode(point[33..<65]))
    }

    /// RFC 7638: SHA-256 over the required members in lexical order, no whitespace.
    private static func thumbprint(of key: P256.Signing.PublicKey) -> String {
        let point = [UInt8](key.x963Representation)
        let x = Base64URL.encode(point[1..<33])
        let y = Base64URL.encode(point[33..<65])
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Base64URL.encode(SHA256.hash(data: Array(canonical.utf8)))
    }
}
