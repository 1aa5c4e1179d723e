import Foundation
import JWTKit

/// Signs and verifies Gatehouse's own JWTs: ES256 under one key, named by `kid`.
struct TokenSigner: Sendable {
    /// `typ` of bearer/access tokens.
    static let accessType = "JWT"
    /// `typ` of ServiceStack refresh tokens, so one is never mistaken for the other.
    static let refreshType = "JWTR"

    let keyID: String
    private let collection: JWTKeyCollection

    private init(keyID: String, collection: JWTKeyCollection) {
        self.keyID = keyID
        self.collection = collection
    }

    static func make(keys: GrantKeys) async throws -> TokenSigner {
        let collection = JWTKeyCollection(defaultJWTParser: TokenCoding.parser, defaultJWTSerializer: TokenCoding.serializer)
        let key = try ES256PrivateKey(backing: keys.signingKey)
        await collection.add(
            ecdsa: key, kid: JWKIdentifier(string: keys.keyID),
            parser: TokenCoding.parser, serializer: TokenCoding.serializer)
        return TokenSigner(keyID: keys.keyID, collection: collection)
    }

    func sign(_ payload: some JWTPayload, type: String) async throws -> String {
        var header = JWTHeader()
        header.typ = type
        header.kid = keyID
        return try await collection.sign(payload, kid: JWKIdentifier(string: keyID), header: header)
    }

    /// The payload of `token` when it is ours (ES256, our `kid`), of type `type`, and its
    /// signature holds; nil otherwise. Time is not checked here.
    func verify<Payload: JWTPayload>(_ token: String, type: String, as _: Payload.Type) async -> Payload? {
        guard let header = JOSEHeader(token: token), header.alg == "ES256", header.kid == keyID, header.typ == type
        else { return nil }
        return try? await collection.verify(token, as: Payload.self)
    }
}
