// A presented artifact as the proxy and the dialects resolve it. Input: a mode byte, then the token
// text, or (modes 1–3) the claims of a token the harness signs with the right key, so the fuzzer
// reaches what runs after a signature holds. `@sid` in the claims becomes a live grant's id.
import Crypto
import Foundation
import FuzzSupport
import GatehouseCore
@testable import Grants

let partnerSecret = "partner-secret-partner-secret-0123456789"
let signingKey: P256.Signing.PrivateKey = {
    do {
        return try P256.Signing.PrivateKey(rawRepresentation: Array(repeating: UInt8(7), count: 32))
    } catch {
        fatalError("fuzz signing key: \(error)")
    }
}()
let sealingKey = SymmetricKey(data: Array(repeating: UInt8(9), count: 32))
let keys = GrantKeys(signingKey: signingKey, sealingKey: sealingKey)

let config: GatewayConfig = {
    let json = """
        { "stateDirectory": "/tmp/gatehouse-fuzz",
          "dialects": { "sso": { "enabled": true, "sharedSecret": "\(partnerSecret)" } },
          "authenticators": [{ "name": "crm", "type": "upstream", "dialect": "aspnet", "url": "http://127.0.0.1:8081/1/SignIn" }], "store": { "type": "memory" } }
        """
    do {
        return try GatewayConfig.parse(Array(json.utf8))
    } catch {
        fatalError("fuzz configuration: \(error)")
    }
}()

let identity = Identity(
    subject: "a564ef59-085b-4803-b514-37288e32709e", numericID: 1, userName: "ann", createdAt: Date(timeIntervalSince1970: 0),
    updatedAt: Date(timeIntervalSince1970: 0), authenticator: "local")

/// The service and one live grant with every artifact, made once.
let (service, liveGrantID): (GrantService, String) = runBlocking {
    do {
        let service = try await GrantService(
            config: config, keys: keys, store: MemoryGrantStore(), partnerUser: { _ in identity })
        let signedIn = try await service.issue(
            identity, for: SignInRequest(credential: .password(login: "ann", secret: "x"), dialect: .servicestack),
            kinds: [.applicationCookie, .accessToken, .sessionToken, .serviceStackSession])
        return (service, signedIn.grant.id)
    } catch {
        fatalError("fuzz grant service: \(error)")
    }
}

func segment(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

/// A compact JWS over `claims`, signed as Gatehouse (ES256, its `kid`) or as the partner (HS256).
func signedToken(claims: [UInt8], partner: Bool, type: String) -> String {
    let header = partner
        ? segment(#"{"alg":"HS256","typ":"JWT"}"#)
        : segment(#"{"alg":"ES256","kid":"\#(keys.keyID)","typ":"\#(type)"}"#)
    let signingInput = header + "." + Base64URL.encode(claims)
    let signature: [UInt8]
    if partner {
        signature = Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: Array(partnerSecret.utf8))))
    } else {
        do {
            signature = Array(try signingKey.signature(for: Array(signingInput.utf8)).rawRepresentation)
        } catch {
            fatalError("signing: \(error)")
        }
    }
    return signingInput + "." + Base64URL.encode(signature)
}

/// A sealed ASP.NET ticket over `payload`, as `CookieTicket.sealed` writes one.
func sealedTicket(_ payload: [UInt8]) -> String {
    do {
        let box = try AES.GCM.seal(payload, using: sealingKey, authenticating: Array("gatehouse.aspnet-ticket.v1".utf8))
        return box.combined.map { Base64URL.encode($0) } ?? ""
    } catch {
        fatalError("sealing: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBearerTokens(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let (mode, rest) = FuzzInput(data, count).modeAndRest
    let text = String(decoding: rest, as: UTF8.self)
    let claims = Array(text.replacingOccurrences(of: "@sid", with: liveGrantID).utf8)
    let token: String
    switch mode % 5 {
    case 1: token = signedToken(claims: claims, partner: false, type: "JWT")
    case 2: token = signedToken(claims: claims, partner: false, type: "JWTR")
    case 3: token = signedToken(claims: claims, partner: true, type: "JWT")
    case 4: token = sealedTicket(claims)
    default: token = text
    }
    if let decoded = Base64URL.decode(token) {
        precondition(Base64URL.encode(decoded) == token, "base64url has two spellings")
    }
    _ = JOSEHeader(token: token)
    _ = CookieTicket.open(token, with: sealingKey)
    _ = service.namesOurKey(token)
    runBlocking {
        for artifact in [PresentedArtifact.bearer(token), .applicationCookie(token), .serviceStackSession(token)] {
            _ = try? await service.resolveAny(artifact)
        }
        _ = try? await service.verifiedClaims(of: token)
        _ = try? await service.refreshAccessToken(token)
    }
    return 0
}
