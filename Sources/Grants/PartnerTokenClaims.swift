import Foundation
import JWTKit

/// An access token a trusted partner signed with the shared HS256 secret (the `sso` dialect's
/// `Authorization: Bearer {access_token}`), in the shape djangorestframework-simplejwt writes.
struct PartnerTokenClaims: JWTPayload, Equatable {
    var userID: Int
    var externalID: Int?
    var tokenType: String
    /// Required: revoking a partner token records its `jti`.
    var jti: String
    var iat: Date?
    /// Required: a partner token without an end would be valid forever.
    var exp: Date
    var nbf: Date?

    private enum CodingKeys: String, CodingKey {
        case userID = "user_id", externalID = "ext_id", tokenType = "token_type", jti, iat, exp, nbf
    }

    /// Nothing here: the partner verifier checks time against the service's clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
