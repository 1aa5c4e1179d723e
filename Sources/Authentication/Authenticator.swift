import GatehouseCore

/// One link of the authenticator chain: local users, or a legacy upstream.
///
/// "Not mine" is `nil`; "mine and bad" is a thrown error. An authenticator that does not know the
/// login returns `nil` and the chain asks the next one; one that knows the user and refuses throws,
/// and the chain stops there (a wrong password never falls through to another authenticator).
///
/// ```swift
/// struct Guests: Authenticator {
///     var name: String { "guests" }
///     func authenticate(_ request: SignInRequest) async throws -> Identity? {
///         guard case .password(let login, _) = request.credential, login == "guest" else { return nil }
///         throw AuthFailure.invalidCredentials
///     }
/// }
/// ```
public protocol Authenticator: Sendable {
    /// The configured name (`authenticators[i].name`); it ends up in `Identity.authenticator`.
    var name: String { get }
    /// nil: this authenticator does not know the login (the chain goes on).
    /// Throws AuthFailure (e.g. .invalidCredentials) when it knows the user and refuses: the chain stops.
    func authenticate(_ request: SignInRequest) async throws -> Identity?
    /// Like `authenticate`, plus the artifacts a legacy upstream issued for this sign-in (its cookie, its
    /// token), which the grant keeps so the legacy service can see its own session later.
    func authenticateKeepingArtifacts(_ request: SignInRequest) async throws -> Authenticated?
    /// Ends the upstream's own session for a grant it vouched for, where its dialect has a sign-out.
    func signOut(upstreamArtifacts: [String: String]) async
    /// The one name a login's failure counter is kept under, when this authenticator knows the user
    /// (its user name and its e-mail address give the same key); nil when it does not know the login.
    /// Reads no password and makes no request.
    func accountKey(forLogin login: String) -> String?
}

/// An identity with the legacy upstream's own artifacts for it, by name (`cookie:ss-id`, `bearer`).
public struct Authenticated: Sendable {
    public var identity: Identity
    public var upstreamArtifacts: [String: String]

    public init(identity: Identity, upstreamArtifacts: [String: String] = [:]) {
        self.identity = identity
        self.upstreamArtifacts = upstreamArtifacts
    }
}

extension Authenticator {
    /// Authenticators without an upstream keep no artifacts.
    public func authenticateKeepingArtifacts(_ request: SignInRequest) async throws -> Authenticated? {
        try await authenticate(request).map { Authenticated(identity: $0) }
    }

    /// Authenticators without an upstream have no session elsewhere to end.
    public func signOut(upstreamArtifacts: [String: String]) async {}

    /// Authenticators that cannot tell who a login names without asking elsewhere: the login itself is the key.
    public func accountKey(forLogin login: String) -> String? { nil }
}
