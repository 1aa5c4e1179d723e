import Crypto
import Foundation

/// What `.AspNet.ApplicationCookie` carries: an opaque ticket naming the grant, sealed with
/// AES-256-GCM so a client can neither read nor alter it.
///
/// Sealed form: base64url (no padding) of nonce ‖ ciphertext ‖ tag over a small JSON payload.
struct CookieTicket: Codable, Equatable {
    var grantID: String
    var issuedAt: Date
    /// The ticket's own end (Katana's `ExpireTimeSpan`), also for browser-session cookies.
    var expiresAt: Date

    private enum CodingKeys: String, CodingKey {
        case grantID = "g", issuedAt = "i", expiresAt = "e"
    }

    /// Binds the ciphertext to its purpose, so nothing else sealed with the same key opens as a ticket.
    private static let purpose = Array("gatehouse.aspnet-ticket.v1".utf8)

    func sealed(with key: SymmetricKey) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let payload = try encoder.encode(self)
        let box = try AES.GCM.seal(payload, using: key, authenticating: Self.purpose)
        // `combined` is non-nil for the default 12-byte nonce.
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Base64URL.encode(combined)
    }

    /// nil for anything not sealed by `key` (tampered, truncated, other key, not base64url).
    static func open(_ text: String, with key: SymmetricKey) -> CookieTicket? {
        guard let bytes = Base64URL.decode(text),
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let payload = try? AES.GCM.open(box, using: key, authenticating: purpose)
        else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(CookieTicket.self, from: payload)
    }
}
