/// Why a sign-in or an artifact check failed. Each dialect renders each case in its own shape.
public enum AuthFailure: Error, Sendable, Equatable {
    /// The request itself is malformed; `field` names the offending member (`UserName`).
    case invalidInput(field: String, message: String)
    /// Unknown login, wrong password, or an unusable token: the caller is told nothing more.
    case invalidCredentials
    /// Too many failed sign-ins for the account or the client address; a sign-in may be tried again
    /// after `retryAfterSeconds` (a dialect that can carry it sends `Retry-After`).
    case lockedOut(retryAfterSeconds: Int)
    case inactiveAccount
    /// A legacy upstream could not be asked; `upstream` is its configured name.
    case upstreamUnavailable(upstream: String)
}
