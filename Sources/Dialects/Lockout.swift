import GatehouseCore

/// What the dialects share about `AuthFailure.lockedOut`: each answers 429 in its own error shape,
/// and every one of them can carry `Retry-After`.
enum Lockout {
    /// `Retry-After` as delta-seconds (RFC 9110 §10.2.3), which has no negative form: a wait
    /// already over is sent as 0.
    static func retryAfter(_ seconds: Int) -> (String, String) {
        ("Retry-After", String(max(0, seconds)))
    }

    /// The free-text message of the dialects whose error shape has one. It names no account: a
    /// lockout counted per client address must not tell a caller which logins exist.
    static func message(_ seconds: Int) -> String {
        "Too many failed sign-in attempts. Try again in \(max(0, seconds)) seconds."
    }
}
