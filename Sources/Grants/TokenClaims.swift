import Foundation
import JWTKit

/// The claims every Gatehouse JWT carries, read back when one is presented: which grant it
/// belongs to (`sid`) and when it stops working.
struct GrantBoundClaims: JWTPayload, Equatable {
    var sid: String
    var exp: Date
    var nbf: Date?

    /// Nothing here: expiry is checked against the service's clock, which jwt-kit cannot see.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Whether the token is within its validity window at `now`.
    func isCurrent(at now: Date) -> Bool {
        now < exp && (nbf.map { $0 <= now } ?? true)
    }
}

/// The webapi access token (`AuthenticationResponse.AccessToken`), as ASP.NET's JWT handler
/// names its claims.
struct WebAPIAccessClaims: JWTPayload, Equatable {
    var sub: String
    var email: String?
    var uniqueName: String
    var role: [String]
    var iss: String
    var aud: String
    var iat: Date
    var nbf: Date
    var exp: Date
    var jti: String
    var sid: String

    private enum CodingKeys: String, CodingKey {
        case sub, email, uniqueName = "unique_name", role, iss, aud, iat, nbf, exp, jti, sid
    }

    /// Nothing here: tokens are checked through `GrantBoundClaims` against the service's clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// ServiceStack's `BearerToken`, with the claims its `JwtAuthProvider` writes.
struct ServiceStackBearerClaims: JWTPayload, Equatable {
    var iss: String
    var sub: String
    var iat: Date
    var exp: Date
    var name: String?
    var preferredUsername: String
    var email: String?
    var roles: [String]
    var perms: [String]
    var sid: String

    private enum CodingKeys: String, CodingKey {
        case iss, sub, iat, exp, name, preferredUsername = "preferred_username", email, roles, perms, sid
    }

    /// Nothing here: tokens are checked through `GrantBoundClaims` against the service's clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// ServiceStack's `RefreshToken` (header `typ: JWTR`): only enough to find the grant again.
struct ServiceStackRefreshClaims: JWTPayload, Equatable {
    var iss: String
    var sub: String
    var iat: Date
    var exp: Date
    var sid: String

    /// Nothing here: tokens are checked through `GrantBoundClaims` against the service's clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
