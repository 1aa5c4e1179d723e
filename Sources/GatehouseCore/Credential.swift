/// What a caller presented to prove who they are, whatever dialect carried it.
public enum Credential: Sendable, Equatable {
    /// A login (user name or e-mail address) and its password.
    case password(login: String, secret: String)
    /// An access token or session token issued earlier (by Gatehouse or a partner).
    case bearer(String)
}

extension Credential: CustomStringConvertible {
    /// Never prints a secret: credentials end up in log metadata and test failure messages.
    public var description: String {
        switch self {
        case .password(let login, _): "password(login: \(login))"
        case .bearer: "bearer(…)"
        }
    }
}
