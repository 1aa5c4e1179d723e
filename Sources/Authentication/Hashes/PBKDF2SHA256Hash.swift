/// A PBKDF2-HMAC-SHA256 hash in passlib's self-describing format (`passlib.hash.pbkdf2_sha256`):
///
///     $pbkdf2-sha256$<rounds>$<salt>$<checksum>
///
/// - `rounds`: decimal iteration count, no leading zeros (passlib refuses them too);
/// - `salt`: the raw salt bytes in passlib's adapted base64 (`+` written `.`, no `=` padding);
/// - `checksum`: the 32-byte derived key, same encoding (43 characters).
///
/// Example (password `correct horse battery staple`, 1000 rounds, made by passlib):
/// `$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo`.
struct PBKDF2SHA256Hash: PasswordHashFormat {
    static let prefix = "$pbkdf2-sha256$"
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    static let defaultRounds = 600_000
    static let defaultSaltLength = 16
    static let checksumLength = 32

    let rounds: Int
    let salt: [UInt8]
    let checksum: [UInt8]

    init(rounds: Int, salt: [UInt8], checksum: [UInt8]) {
        self.rounds = rounds
        self.salt = salt
        self.checksum = checksum
    }

    init?(parsing stored: String) {
        guard stored.hasPrefix(Self.prefix) else { return nil }
        let fields = stored.dropFirst(Self.prefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 3,
            let roundsText = fields.first, roundsText.allSatisfy({ $0.isASCII && $0.isNumber }),
            roundsText.first != "0", roundsText.count <= 10,
            let rounds = Int(roundsText), PBKDF2Derivation.validRounds.contains(rounds),
            let salt = AdaptedBase64.decode(fields[1]), !salt.isEmpty,
            let checksum = AdaptedBase64.decode(fields[2]), checksum.count == Self.checksumLength
        else { return nil }
        self.init(rounds: rounds, salt: salt, checksum: checksum)
    }

    var scheme: PasswordHashScheme { .pbkdf2Sha256 }

    var costParameters: String { "pbkdf2-sha256 \(rounds) \(salt.count)" }

    /// The stored text for this hash.
    var text: String {
        "\(Self.prefix)\(rounds)$\(AdaptedBase64.encode(salt))$\(AdaptedBase64.encode(checksum))"
    }

    func verify(_ password: String) -> Bool {
        guard let derived = Self.derive(password, salt: salt, rounds: rounds) else { return false }
        return ConstantTime.equals(derived, checksum)
    }

    func decoy() throws -> PBKDF2SHA256Hash {
        try Self.hash(SecureRandom.secret(), rounds: rounds, saltLength: salt.count)
    }

    static func make(_ password: String) throws -> String {
        try hash(password, rounds: defaultRounds, saltLength: defaultSaltLength).text
    }

    private static func hash(_ password: String, rounds: Int, saltLength: Int) throws -> PBKDF2SHA256Hash {
        let salt = SecureRandom.bytes(count: saltLength)
        guard let checksum = derive(password, salt: salt, rounds: rounds) else {
            throw PasswordHashError.derivationFailed
        }
        return PBKDF2SHA256Hash(rounds: rounds, salt: salt, checksum: checksum)
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8]? {
        PBKDF2Derivation.derive(password, salt: salt, prf: .sha256, rounds: rounds, byteCount: checksumLength)
    }
}
