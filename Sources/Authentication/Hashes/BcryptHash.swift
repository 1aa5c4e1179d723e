import HummingbirdBcrypt

/// A bcrypt hash: `$2b$<cost>$<22 chars of salt><31 chars of checksum>` in bcrypt's own base64
/// alphabet (`./A-Za-z0-9`). `$2a$` and `$2y$` are read too.
///
/// hummingbird-auth's C code (OpenBSD's) knows only `$2a$` and `$2b$`. `$2y$` is PHP's name for the
/// fixed algorithm that OpenBSD calls `$2b$`; `$2a$` differs from `$2b$` only in OpenBSD's own old
/// length wrap-around for passwords of 255+ bytes, which other `$2a$` writers (jBCrypt,
/// BCrypt.Net, Python's `bcrypt`) never had. So every prefix is verified as `$2b$`, like those do.
struct BcryptHash: PasswordHashFormat {
    /// The cost `make` uses (2^12 rounds, about a quarter of a second on a server core).
    static let defaultCost: UInt8 = 12
    private static let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    let cost: UInt8
    /// The stored text with its prefix rewritten to `$2b$`.
    private let normalized: String

    init?(parsing stored: String) {
        let chars = Array(stored)
        // "$2x$" + two-digit cost + "$" + 53 characters of salt and checksum.
        guard chars.count == 60, chars[0] == "$", chars[1] == "2", chars[3] == "$", chars[6] == "$",
            ["a", "b", "y"].contains(chars[2]),
            let tens = chars[4].wholeNumberValue, let ones = chars[5].wholeNumberValue,
            chars[4].isASCII, chars[5].isASCII,
            chars[7...].allSatisfy(Self.alphabet.contains)
        else { return nil }
        let cost = tens * 10 + ones
        // The C code's own limits; `Bcrypt.hash` traps outside them, so `decoy` relies on this check.
        guard (4...31).contains(cost) else { return nil }
        self.cost = UInt8(cost)
        self.normalized = "$2b$" + String(chars[4...])
    }

    var scheme: PasswordHashScheme { .bcrypt }

    var costParameters: String { "bcrypt \(cost)" }

    func verify(_ password: String) -> Bool {
        // The C code reads a NUL-terminated string: a password with a NUL would be cut short there.
        guard !password.utf8.contains(0) else { return false }
        return Bcrypt.verify(password, hash: normalized)
    }

    func decoy() throws -> BcryptHash {
        guard let hash = BcryptHash(parsing: Bcrypt.hash(SecureRandom.secret(), cost: cost)) else {
            throw PasswordHashError.derivationFailed
        }
        return hash
    }

    static func make(_ password: String) -> String {
        Bcrypt.hash(password, cost: defaultCost)
    }
}
