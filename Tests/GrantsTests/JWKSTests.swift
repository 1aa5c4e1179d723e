import Foundation
import GatehouseCore
import Grants
import JWTKit
import Testing

@Suite("JWKS document")
struct JWKSTests {
    /// A P-256 test key and its RFC 7638 thumbprint and coordinates, computed independently
    /// (Python `cryptography` + hashlib over the canonical JSON).
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDWzbt20S6jiQbl5+
        3nRyZZIORv6M1TWoREdMI74ML82hRANCAATPV7rLfFV4NIpR+Z2Rt+Coev6Q0VbB
        Xy4IXY1AvrH+BKemD2rHo8Ttqg3wcDpEcwMTES2bK4RBxm1zzDxuBZdy
        -----END PRIVATE KEY-----
        """
    static let thumbprint = "0qCDKjI8YFujXGwxxRk259WGGntqMA8KDUPaHShqv-c"
    static let x = "z1e6y3xVeDSKUfmdkbfgqHr-kNFWwV8uCF2NQL6x_gQ"
    static let y = "p6YPasejxO2qDfBwOkRzAxMRLZsrhEHGbXPMPG4Fl3I"

    static func configuredKeys() async throws -> GrantKeys {
        let escaped = pem.replacingOccurrences(of: "\n", with: "\\n")
        let sealing = Data(repeating: 7, count: 32).base64EncodedString()
        let json = GrantFixture.configJSON(keys: #"{ "jwtPrivateKey": "\#(escaped)", "cookieSealingKey": "\#(sealing)" }"#)
        let config = try GatewayConfig.parse(Array(json.utf8))
        return try await GrantKeys.load(config.keys, stateDirectory: "/nonexistent/never-created")
    }

    @Test func keyIDIsTheRFC7638Thumbprint() async throws {
        #expect(try await Self.configuredKeys().keyID == Self.thumbprint)
    }

    @Test func documentIsExactlyTheOnePublicKey() async throws {
        let fixture = try await GrantFixture.make(keys: try await Self.configuredKeys())
        let text = String(decoding: fixture.service.jwksDocument(), as: UTF8.self)
        #expect(text == #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(Self.x)","y":"\#(Self.y)","kid":"\#(Self.thumbprint)","use":"sig","alg":"ES256"}]}"#)
    }

    @Test func jwksVerifiesAnIssuedTokenIndependently() async throws {
        let fixture = try await GrantFixture.make()
        let signedIn = try await fixture.signIn(.webapi, kinds: [.accessToken])
        let token = try #require(signedIn.artifacts.accessToken)
        let independent = JWTKeyCollection()
        try await independent.add(jwksJSON: String(decoding: fixture.service.jwksDocument(), as: UTF8.self))
        let claims = try await independent.verify(token, as: WebAPIClaims.self)
        #expect(claims.sid == signedIn.grant.id)
        #expect(claims.unique_name == "alice")
    }

    @Test func jwksOfOtherKeysDoesNotVerifyOurToken() async throws {
        let ours = try await GrantFixture.make()
        let theirs = try await GrantFixture.make()
        let token = try #require(try await ours.signIn(.webapi, kinds: [.accessToken]).artifacts.accessToken)
        let independent = JWTKeyCollection()
        try await independent.add(jwksJSON: String(decoding: theirs.service.jwksDocument(), as: UTF8.self))
        await #expect(throws: (any Error).self) { try await independent.verify(token, as: WebAPIClaims.self) }
    }
}
