/// Why `PasswordHash.make` could not produce a hash.
public enum PasswordHashError: Error, Sendable, Equatable {
    /// The scheme is read for importing legacy users but never written (ASP.NET Identity V2).
    case legacyScheme(PasswordHashScheme)
    /// The key derivation itself failed (the crypto library refused its parameters).
    case derivationFailed
}
