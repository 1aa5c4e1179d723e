import Crypto
import _CryptoExtras

/// PBKDF2 for the stored-hash formats, over swift-crypto's BoringSSL implementation.
enum PBKDF2Derivation {
    /// The HMAC hash functions the formats name.
    enum PRF: Sendable, Equatable {
        case sha1, sha256, sha512

        var function: KDF.Insecure.PBKDF2.HashFunction {
            switch self {
            case .sha1: .insecureSHA1
            case .sha256: .sha256
            case .sha512: .sha512
            }
        }
    }

    /// Iteration counts every format accepts: BoringSSL takes a `UInt32` and refuses 0.
    static let validRounds = 1...Int(UInt32.max)

    /// The derived key, or nil when the crypto library refuses the parameters.
    ///
    /// Uses the "unchecked" entry point on purpose: the checked one demands 210,000 rounds, but
    /// legacy hashes (ASP.NET Identity V2: 1000) must still verify.
    static func derive(_ password: String, salt: [UInt8], prf: PRF, rounds: Int, byteCount: Int) -> [UInt8]? {
        guard validRounds.contains(rounds), byteCount > 0, !salt.isEmpty else { return nil }
        // An Array, never an empty `Data`: the backend unwraps the buffer's base address.
        let passwordBytes = Array(password.utf8)
        guard
            let key = try? KDF.Insecure.PBKDF2.deriveKey(
                from: passwordBytes, salt: salt, using: prf.function, outputByteCount: byteCount,
                unsafeUncheckedRounds: rounds)
        else { return nil }
        return key.withUnsafeBytes { Array($0) }
    }
}
