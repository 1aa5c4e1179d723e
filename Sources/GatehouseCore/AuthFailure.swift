/// Why a sign-in or an artifact check failed. Each dialect renders each case in its own shape.
///
/// Malformed input never gets this far (each dialect refuses it in its own words while decoding),
/// and an inactive account is `invalidCredentials`: telling it apart would confirm the account exists.
public enum AuthFailure: Error, Sendable, Equatable {
    /// Unknown login, wrong password, inactive account, or an unusable token: the caller is told nothing more.
    case invalidCredentials
    /// Too many failed sign-ins for the account or the client address; a sign-in may be tried again
    /// after `retryAfterSeconds` (a dialect that can carry it sends `Retry-After`).
    case lockedOut(retryAfterSeconds: Int)
    /// A legacy upstream could not be asked; `upstream` is its configured name.
    case upstreamUnavailable(upstream: String)
}
