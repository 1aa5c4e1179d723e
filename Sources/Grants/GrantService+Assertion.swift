import Foundation
import GatehouseCore
import JWTKit

/// The identity assertion the reverse proxy hands to upstream services (`proxy.assertionHeader`).
struct IdentityAssertionClaims: JWTPayload, Equatable {
    var iss: String
    var aud: String
    var sub: String
    var iat: Date
    var exp: Date
    var preferredUsername: String
    var email: String?
    var roles: [String]

    private enum CodingKeys: String, CodingKey {
        case iss, aud, sub, iat, exp, preferredUsername = "preferred_username", email, roles
    }

    /// Nothing here: the upstream service checks it; Gatehouse never accepts one back.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

extension GrantService {
    /// `typ` of identity assertions. Not `JWT`, and with no `sid`: an assertion leaked by an
    /// upstream service can never be presented back to Gatehouse as a bearer token.
    static let assertionType = "gatehouse-assertion+jwt"

    /// A short-lived ES256 JWT of `identity` for an upstream service, verifiable through
    /// `/.well-known/jwks.json`.
    public func identityAssertion(for identity: Identity, audience: String, lifetimeSeconds: Int) async throws -> String {
        let now = now()
        let claims = IdentityAssertionClaims(
            iss: config.dialects.webapi.issuer, aud: audience, sub: identity.subject, iat: now,
            exp: now.addingTimeInterval(TimeInterval(lifetimeSeconds)), preferredUsername: identity.userName,
            email: identity.email.primary, roles: identity.roles.map(\.name))
        return try await signer.sign(claims, type: Self.assertionType)
    }
}
