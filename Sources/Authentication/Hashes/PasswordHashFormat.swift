/// One stored-hash format: how to recognise it, verify a password against it, and cost it.
///
/// Each implementation lives in its own file and is listed once in `PasswordHash.formats`.
protocol PasswordHashFormat: Sendable {
    /// nil unless `stored` is well-formed in this format; must never trap on any input.
    init?(parsing stored: String)
    var scheme: PasswordHashScheme { get }
    /// Equal for two hashes whose verification costs the same (scheme, rounds, sizes).
    var costParameters: String { get }
    /// Constant-time with respect to the password: only the parameters decide the time taken.
    func verify(_ password: String) -> Bool
    /// A hash of a random secret with the same parameters (see `PasswordHash.decoy`).
    func decoy() throws -> Self
}
