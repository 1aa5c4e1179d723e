/// The stored password-hash formats Gatehouse reads (and, except legacy ones, writes).
public enum PasswordHashScheme: String, Sendable, CaseIterable {
    /// `$2a$`, `$2b$` and `$2y$` bcrypt (all the same algorithm for passwords Gatehouse sees).
    case bcrypt
    /// passlib's `$pbkdf2-sha256$<rounds>$<salt>$<checksum>`.
    case pbkdf2Sha256 = "pbkdf2-sha256"
    /// ASP.NET Identity V2 (`0x00` marker, PBKDF2-HMAC-SHA1, 1000 iterations): verified, never issued.
    case aspnetV2 = "aspnet-v2"
    /// ASP.NET Identity V3 (`0x01` marker, self-describing PRF, iterations and salt).
    case aspnetV3 = "aspnet-v3"
}

/// A stored password hash in any supported scheme, parsed once (at start-up) and verified many times.
///
/// ```swift
/// guard let hash = PasswordHash(parsing: user.passwordHash) else { /* config error */ }
/// let ok = try await NIOThreadPool.singleton.runIfActive { hash.verify(password) }
/// ```
public struct PasswordHash: Sendable {
    /// Every format Gatehouse recognises, tried in turn. Adding a scheme is one file and one line here.
    static let formats: [any PasswordHashFormat.Type] = [
        BcryptHash.self,
        PBKDF2SHA256Hash.self,
        AspNetIdentityHash.self,
    ]

    let format: any PasswordHashFormat

    init(format: any PasswordHashFormat) {
        self.format = format
    }

    /// Recognises any supported stored hash; nil when the text is none of them (or is malformed).
    public init?(parsing stored: String) {
        for type in Self.formats {
            if let format = type.init(parsing: stored) {
                self.format = format
                return
            }
        }
        return nil
    }

    /// The scheme the stored hash is in.
    public var scheme: PasswordHashScheme { format.scheme }

    /// Whether `password` is the one this hash was made from. The derived keys are compared in
    /// constant time. CPU-heavy by design: call from a thread pool, not an event loop.
    public func verify(_ password: String) -> Bool {
        format.verify(password)
    }

    /// A new hash of `password` in `scheme`, as text to store (the `hash-password` command).
    ///
    /// bcrypt uses cost 12; PBKDF2-SHA256 600,000 rounds and a 16-byte salt; ASP.NET Identity V3
    /// the ASP.NET Core 7+ defaults (HMAC-SHA512, 100,000 iterations, 16-byte salt, 32-byte subkey).
    /// - Throws: `PasswordHashError.legacyScheme` for `.aspnetV2`: it is accepted only to import
    ///   existing users, never issued.
    public static func make(_ password: String, scheme: PasswordHashScheme) throws -> String {
        switch scheme {
        case .bcrypt: BcryptHash.make(password)
        case .pbkdf2Sha256: try PBKDF2SHA256Hash.make(password)
        case .aspnetV3: try AspNetIdentityHash.makeV3(password)
        case .aspnetV2: throw PasswordHashError.legacyScheme(scheme)
        }
    }

    /// What a verification against this hash costs: hashes with equal parameters take equally long.
    var costParameters: String { format.costParameters }

    /// A hash of a random secret with exactly this hash's parameters, to verify against when the
    /// login is unknown so that an unknown user costs the same time as a wrong password.
    func decoy() throws -> PasswordHash {
        PasswordHash(format: try format.decoy())
    }
}
