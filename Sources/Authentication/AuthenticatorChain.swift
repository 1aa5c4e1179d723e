import GatehouseCore

/// The configured `authenticators`, asked in order until one knows the login.
public struct AuthenticatorChain: Sendable {
    /// The links, in configuration order.
    public let authenticators: [any Authenticator]

    /// A chain asking `authenticators` in this order.
    public init(_ authenticators: [any Authenticator]) {
        self.authenticators = authenticators
    }

    /// The first authenticator that knows the login decides; nobody knows it -> throws AuthFailure.invalidCredentials.
    /// Errors that are not AuthFailure are rethrown as is.
    public func authenticate(_ request: SignInRequest) async throws -> Identity {
        try await authenticateKeepingArtifacts(request).identity
    }

    /// The failure counter's key for `login`: the user of the first authenticator that knows it, else the
    /// login itself, case folded.
    public func accountKey(forLogin login: String) -> String {
        for authenticator in authenticators {
            if let key = authenticator.accountKey(forLogin: login) { return "user:" + authenticator.name + ":" + key }
        }
        return "login:" + login.lowercased()
    }

    /// `authenticate`, with the upstream artifacts of the authenticator that decided.
    public func authenticateKeepingArtifacts(_ request: SignInRequest) async throws -> Authenticated {
        for authenticator in authenticators {
            // A throw ends the chain on purpose: the user's own authenticator refused them.
            if let authenticated = try await authenticator.authenticateKeepingArtifacts(request) {
                return authenticated
            }
        }
        throw AuthFailure.invalidCredentials
    }
}
