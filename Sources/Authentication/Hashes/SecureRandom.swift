/// Salts and throw-away secrets from the system's cryptographically secure generator
/// (`getrandom` on Linux, `arc4random` on Apple platforms).
enum SecureRandom {
    static func bytes(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A password nobody knows (24 printable characters), for decoy hashes.
    static func secret() -> String {
        AdaptedBase64.encode(bytes(count: 18))
    }
}
