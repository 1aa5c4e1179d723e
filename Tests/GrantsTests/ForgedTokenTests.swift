import Foundation
import GatehouseCore
import Grants
import JWTKit
import Testing

@Suite("Forged and tampered JWTs")
struct ForgedTokenTests {
    /// A live webapi token and the service that issued it.
    static func issued(sharedSecret: String? = nil) async throws -> (GrantFixture, String) {
        let fixture = try await GrantFixture.make(sharedSecret: sharedSecret)
        let token = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        return (fixture, token)
    }

    @Test(arguments: [(2, 0), (2, 40), (2, 80), (1, 10), (1, 60), (0, 5)])
    func flippingOneCharacterIsRefused(segment: Int, offset: Int) async throws {
        let (fixture, token) = try await Self.issued()
        let forged = TokenInspection.flipping(token, segment: segment, offset: offset)
        #expect(forged != token)
        #expect(try await fixture.service.resolve(.bearer(forged)) == nil)
    }

    @Test func payloadOfAnotherTokenUnderThisSignatureIsRefused() async throws {
        let fixture = try await GrantFixture.make()
        let mine = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        let other = try #require(try await fixture.signIn(.webapi, kinds: [.accessToken], identity: GrantFixture.bob)
            .artifacts.accessToken)
        let mineParts = mine.split(separator: ".")
        let otherParts = other.split(separator: ".")
        let spliced = [mineParts[0], otherParts[1], mineParts[2]].joined(separator: ".")
        #expect(try await fixture.service.resolve(.bearer(spliced)) == nil)
    }

    @Test func tokenFromAnotherKeyIsRefused() async throws {
        let store = MemoryGrantStore()
        let ours = try await GrantFixture.make(store: store)
        let theirs = try await GrantFixture.make(store: store)
        let token = try #require(try await theirs.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        #expect(try await ours.service.resolve(.bearer(token)) == nil)
    }

    @Test func tokenSignedByAnotherKeyUnderOurKeyIDIsRefused() async throws {
        let (fixture, token) = try await Self.issued()
        let claims = try TokenInspection.payload(of: token, as: WebAPIClaims.self)
        let attacker = JWTKeyCollection()
        await attacker.add(ecdsa: ES256PrivateKey(), kid: JWKIdentifier(string: fixture.keys.keyID))
        let forged = try await attacker.sign(claims, kid: JWKIdentifier(string: fixture.keys.keyID))
        #expect(try TokenInspection.header(of: forged)["kid"] == fixture.keys.keyID)
        #expect(try await fixture.service.resolve(.bearer(forged)) == nil)
    }

    @Test(arguments: ["none", "None", "NONE"])
    func unsignedTokenIsRefused(alg: String) async throws {
        let (fixture, token) = try await Self.issued()
        let header = #"{"alg":"\#(alg)","typ":"JWT","kid":"\#(fixture.keys.keyID)"}"#
        let forged = TokenInspection.assemble(header: header, payload: try TokenInspection.segment(token, 1))
        #expect(try await fixture.service.resolve(.bearer(forged)) == nil)
        #expect(try await fixture.service.verifiedClaims(of: forged) == nil)
    }

    @Test(arguments: [nil, GrantFixture.partnerSecret])
    func hs256SignedWithOurPublicKeyIsRefused(sharedSecret: String?) async throws {
        let (fixture, token) = try await Self.issued(sharedSecret: sharedSecret)
        let claims = try TokenInspection.payload(of: token, as: WebAPIClaims.self)
        let document = fixture.service.jwksDocument()
        let jwk = try #require(try JSONDecoder().decode(PublishedKeys.self, from: Data(document)).keys.first)
        let publicPEM = try ES256PublicKey(parameters: (x: jwk.x, y: jwk.y)).pemRepresentation
        // The classic confusion attack: the public key (as PEM, or the JWKS bytes) used as an HMAC secret.
        for secret in [Array(publicPEM.utf8), document] {
            let attacker = JWTKeyCollection()
            let kid = JWKIdentifier(string: fixture.keys.keyID)
            await attacker.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: kid)
            let forged = try await attacker.sign(claims, kid: kid)
            #expect(try TokenInspection.header(of: forged)["alg"] == "HS256")
            #expect(try await fixture.service.resolve(.bearer(forged)) == nil)
            #expect(try await fixture.service.verifiedClaims(of: forged) == nil)
        }
    }

    @Test(arguments: ["a.b.c", "..", "eyJhbGciOiJFUzI1NiJ9..", "eyJhbGciOiJFUzI1NiJ9.e30.", "e30.e30.e30"])
    func malformedJWTIsRefused(token: String) async throws {
        let (fixture, _) = try await Self.issued()
        #expect(try await fixture.service.resolve(.bearer(token)) == nil)
    }

    struct PublishedKeys: Decodable {
        struct Key: Decodable { var x: String; var y: String }
        var keys: [Key]
    }
}
