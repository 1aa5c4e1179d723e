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
        for authenticator in authenticators {
            // A throw ends the chain on purpose: the user's own authenticator refused them.
            if let identity = try await authenticator.authenticate(request) {
                return identity
            }
        }
        throw AuthFailure.invalidCredentials
    }
}
