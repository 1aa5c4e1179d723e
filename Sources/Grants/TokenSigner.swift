import Foundation
import JWTKit

/// Signs and verifies Gatehouse's own JWTs: ES256, signed under the active key and verified under any key
/// of the ring, each named by its `kid`.
struct TokenSigner: Sendable {
    /// `typ` of bearer/access tokens.
    static let accessType = "JWT"
    /// `typ` of ServiceStack refresh tokens, so one is never mistaken for the other.
    static let refreshType = "JWTR"

    /// The active key's `kid`.
    let keyID: String
    /// Every key's `kid`: a token naming another is not ours.
    let keyIDs: Set<String>
    private let collection: JWTKeyCollection

    private init(keyID: String, keyIDs: Set<String>, collection: JWTKeyCollection) {
        self.keyID = keyID
        self.keyIDs = keyIDs
        self.collection = collection
    }

    static func make(keys: GrantKeys) async throws -> TokenSigner {
        let collection = JWTKeyCollection(defaultJWTParser: TokenCoding.parser, defaultJWTSerializer: TokenCoding.serializer)
        for signing in keys.signing {
            await collection.add(
                ecdsa: try ES256PrivateKey(backing: signing.key), kid: JWKIdentifier(string: signing.keyID),
                parser: TokenCoding.parser, serializer: TokenCoding.serializer)
        }
        return TokenSigner(keyID: keys.keyID, keyIDs: Set(keys.keyIDs), collection: collection)
    }

    func sign(_ payload: some JWTPayload, type: String) async throws -> String {
        var header = JWTHeader()
        header.typ = type
        header.kid = keyID
        return try await collection.sign(payload, kid: JWKIdentifier(string: keyID), header: header)
    }

    /// The payload of `token` when it is ours (ES256, the `kid` of a key of the ring), of type `type`, and
    /// its signature holds; nil otherwise. Time is not checked here.
    func verify<Payload: JWTPayload>(_ token: String, type: String, as _: Payload.Type) async -> Payload? {
        guard let header = JOSEHeader(token: token), header.alg == "ES256", let kid = header.kid, keyIDs.contains(kid),
            header.typ == type
        else { return nil }
        return try? await collection.verify(token, as: Payload.self)
    }
}
