import Foundation

/// A hash as ASP.NET Identity's `PasswordHasher` stores it (the `PasswordHash` column): base64 of
///
/// - V2 (`0x00`): `0x00 ‖ salt[16] ‖ subkey[32]`, PBKDF2-HMAC-SHA1 with 1000 iterations;
/// - V3 (`0x01`): `0x01 ‖ PRF u32be ‖ iterations u32be ‖ salt length u32be ‖ salt ‖ subkey`, where
///   PRF is 0 (HMAC-SHA1), 1 (HMAC-SHA256) or 2 (HMAC-SHA512) and the subkey fills the rest.
///
/// The checks mirror `PasswordHasher.VerifyHashedPasswordV3` (salt and subkey at least 128 bits),
/// plus an iteration count of at least 1, so anything it refuses is refused at start-up here.
struct AspNetIdentityHash: PasswordHashFormat {
    enum Version: UInt8, Sendable {
        case v2 = 0x00
        case v3 = 0x01
    }

    /// `KeyDerivationPrf` in ASP.NET's numbering.
    static let prfs: [UInt32: PBKDF2Derivation.PRF] = [0: .sha1, 1: .sha256, 2: .sha512]
    static let v2Iterations = 1000
    static let v2SaltLength = 16
    static let v2SubkeyLength = 32
    /// ASP.NET Core 7+ `PasswordHasherOptions` defaults.
    static let v3Defaults = (prf: UInt32(2), iterations: 100_000, saltLength: 16, subkeyLength: 32)
    /// 128 bits: ASP.NET refuses shorter salts and subkeys.
    static let minimumLength = 16
    /// Marker plus three big-endian `UInt32`s.
    static let v3HeaderLength = 13

    let version: Version
    let prfNumber: UInt32
    let iterations: Int
    let salt: [UInt8]
    let subkey: [UInt8]

    init(version: Version, prfNumber: UInt32, iterations: Int, salt: [UInt8], subkey: [UInt8]) {
        self.version = version
        self.prfNumber = prfNumber
        self.iterations = iterations
        self.salt = salt
        self.subkey = subkey
    }

    init?(parsing stored: String) {
        guard let data = Data(base64Encoded: stored), let marker = data.first else { return nil }
        let bytes = Array(data)
        switch Version(rawValue: marker) {
        case .v2?:
            guard bytes.count == 1 + Self.v2SaltLength + Self.v2SubkeyLength else { return nil }
            self.init(
                version: .v2, prfNumber: 0, iterations: Self.v2Iterations,
                salt: Array(bytes[1...Self.v2SaltLength]), subkey: Array(bytes[(1 + Self.v2SaltLength)...]))
        case .v3?:
            guard bytes.count >= Self.v3HeaderLength else { return nil }
            let prf = Self.uint32(bytes, at: 1)
            let iterations = Int(Self.uint32(bytes, at: 5))
            let saltLength = Int(Self.uint32(bytes, at: 9))
            // Int is 64-bit: a UInt32 salt length plus 13 cannot overflow.
            guard Self.prfs[prf] != nil, iterations >= 1, saltLength >= Self.minimumLength,
                bytes.count - Self.v3HeaderLength - saltLength >= Self.minimumLength
            else { return nil }
            let saltEnd = Self.v3HeaderLength + saltLength
            self.init(
                version: .v3, prfNumber: prf, iterations: iterations,
                salt: Array(bytes[Self.v3HeaderLength..<saltEnd]), subkey: Array(bytes[saltEnd...]))
        case nil:
            return nil
        }
    }

    var scheme: PasswordHashScheme { version == .v2 ? .aspnetV2 : .aspnetV3 }

    var costParameters: String { "\(scheme.rawValue) \(prfNumber) \(iterations) \(salt.count) \(subkey.count)" }

    /// The stored (base64) text for this hash.
    var text: String {
        var bytes: [UInt8] = [version.rawValue]
        if version == .v3 {
            bytes += Self.bigEndian(prfNumber) + Self.bigEndian(UInt32(iterations)) + Self.bigEndian(UInt32(salt.count))
        }
        return Data(bytes + salt + subkey).base64EncodedString()
    }

    func verify(_ password: String) -> Bool {
        guard let derived = derive(password, salt: salt) else { return false }
        return ConstantTime.equals(derived, subkey)
    }

    func decoy() throws -> AspNetIdentityHash {
        try rehash(SecureRandom.secret())
    }

    static func makeV3(_ password: String) throws -> String {
        let template = AspNetIdentityHash(
            version: .v3, prfNumber: v3Defaults.prf, iterations: v3Defaults.iterations,
            salt: Array(repeating: 0, count: v3Defaults.saltLength),
            subkey: Array(repeating: 0, count: v3Defaults.subkeyLength))
        return try template.rehash(password).text
    }

    /// A hash of `password` with a fresh salt and these parameters.
    private func rehash(_ password: String) throws -> AspNetIdentityHash {
        let newSalt = SecureRandom.bytes(count: salt.count)
        guard let newSubkey = derive(password, salt: newSalt) else { throw PasswordHashError.derivationFailed }
        return AspNetIdentityHash(
            version: version, prfNumber: prfNumber, iterations: iterations, salt: newSalt, subkey: newSubkey)
    }

    private func derive(_ password: String, salt: [UInt8]) -> [UInt8]? {
        guard let prf = Self.prfs[prfNumber] else { return nil }
        return PBKDF2Derivation.derive(password, salt: salt, prf: prf, rounds: iterations, byteCount: subkey.count)
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
