import GatehouseCore
import Logging

/// The audit trail: one `info` line per sign-in, sign-out and lockout, with who, through which
/// dialect, the outcome and its stable reason id, and the client address — never a password, token,
/// cookie or key (a credential's own description already hides its secret; nothing else of it is logged).
enum Audit {
    /// `event` is `sign_in`; `outcome` `granted` or `denied` with `reason`.
    static func signIn(
        _ request: SignInRequest, outcome: String, reason: String?, subject: String?, authenticator: String?,
        duration: Duration, logger: Logger
    ) {
        var metadata: Logger.Metadata = [
            "event": "sign_in", "dialect": "\(request.dialect.rawValue)", "outcome": "\(outcome)",
            "duration_ms": .stringConvertible(milliseconds(duration)),
        ]
        if let reason { metadata["reason"] = "\(reason)" }
        if let login = login(of: request) { metadata["login"] = "\(login)" }
        if let subject { metadata["subject"] = "\(subject)" }
        if let authenticator { metadata["authenticator"] = "\(authenticator)" }
        if let address = request.client.address { metadata["client"] = "\(address)" }
        logger.info("sign-in \(outcome)", metadata: metadata)
    }

    /// `event` is `sign_out`: one line per grant revoked.
    static func signOut(dialect: DialectID, subject: String, authenticator: String, client: String?, logger: Logger) {
        var metadata: Logger.Metadata = [
            "event": "sign_out", "dialect": "\(dialect.rawValue)", "outcome": "revoked",
            "subject": "\(subject)", "authenticator": "\(authenticator)",
        ]
        if let client { metadata["client"] = "\(client)" }
        logger.info("sign-out", metadata: metadata)
    }

    /// `event` is `lockout`: an account (by the login typed) or a client address locked.
    static func lockout(scope: String, subject: String, request: SignInRequest, retryAfterSeconds: Int, logger: Logger) {
        var metadata: Logger.Metadata = [
            "event": "lockout", "dialect": "\(request.dialect.rawValue)", "outcome": "locked", "reason": "too_many_failures",
            "scope": "\(scope)", "retry_after_s": .stringConvertible(retryAfterSeconds),
        ]
        if scope == "account" { metadata["login"] = "\(subject)" }
        if let address = request.client.address { metadata["client"] = "\(address)" }
        logger.info("lockout", metadata: metadata)
    }

    /// The login typed, for a password credential; nothing for a token.
    static func login(of request: SignInRequest) -> String? {
        if case .password(let login, _) = request.credential { return login }
        return nil
    }

    /// Milliseconds with three decimals, as access and audit lines carry durations.
    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }
}
