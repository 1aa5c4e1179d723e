import Foundation
import JWTKit

/// Checks access tokens that trusted partners sign with `dialects.sso.sharedSecret` (HS256).
struct PartnerTokenVerifier: Sendable {
    private let collection: JWTKeyCollection

    private init(collection: JWTKeyCollection) { self.collection = collection }

    static func make(sharedSecret: String) async -> PartnerTokenVerifier {
        let collection = JWTKeyCollection(defaultJWTParser: TokenCoding.parser, defaultJWTSerializer: TokenCoding.serializer)
        await collection.add(
            hmac: HMACKey(from: Array(sharedSecret.utf8)), digestAlgorithm: .sha256,
            parser: TokenCoding.parser, serializer: TokenCoding.serializer)
        return PartnerTokenVerifier(collection: collection)
    }

    /// The claims of a partner access token valid at `now`; nil for anything else (wrong
    /// algorithm or secret, expired, not yet valid, not an access token, claims missing).
    func verify(_ token: String, now: Date) async -> PartnerTokenClaims? {
        // Only HS256: the secret must not verify tokens that claim another algorithm.
        guard let header = JOSEHeader(token: token), header.alg == "HS256",
            let claims = try? await collection.verify(token, as: PartnerTokenClaims.self),
            claims.tokenType == "access", now < claims.exp, claims.nbf.map({ $0 <= now }) ?? true
        else { return nil }
        return claims
    }
}
