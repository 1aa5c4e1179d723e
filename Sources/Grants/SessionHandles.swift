import Crypto
import Foundation

/// Random ids and opaque handles, and how handles are kept in a `GrantStore`.
///
/// `SystemRandomNumberGenerator` reads the kernel's CSPRNG (`getrandom`/`arc4random`), which
/// is what unguessable ids need.
package enum SessionHandles {
    /// The kinds of opaque handle; each is hashed under its own label, so a handle of one kind
    /// presented as another finds nothing.
    enum Kind: String {
        case sessionToken = "baas-session"
        case serviceStackSession = "servicestack-session"
    }

    /// A grant id: 128 random bits, base64url.
    static func grantID() -> String { Base64URL.encode(randomBytes(16)) }

    /// A JWT `jti`: 128 random bits, base64url.
    static func tokenID() -> String { Base64URL.encode(randomBytes(16)) }

    /// A BaaS session token: 256 random bits, base64url.
    static func sessionToken() -> String { Base64URL.encode(randomBytes(32)) }

    /// An `ss-id`/`ss-pid`: 20 characters of [A-Za-z0-9], as ServiceStack's own look (≈119 bits).
    static func serviceStackID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        // `randomElement(using:)` draws without modulo bias.
        return String((0..<20).compactMap { _ in alphabet.randomElement(using: &generator) })
    }

    /// What the store keeps for a handle: SHA-256 (hex) of its kind label and the handle, so a
    /// leaked store does not hand out working tokens.
    static func storedHandle(_ handle: String, kind: Kind) -> String {
        let digest = SHA256.hash(data: Array("\(kind.rawValue):\(handle)".utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The revocation id a stored handle is remembered under once its grant is revoked (`GrantStore.revoke`).
    package static func revokedHandleID(_ storedHandle: String) -> String { revokedHandlePrefix + storedHandle }
    package static let revokedHandlePrefix = "handle:"

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
