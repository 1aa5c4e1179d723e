import Foundation
import JWTKit

/// Reading and mangling compact JWTs the way an attacker or an independent client would.
enum TokenInspection {
    /// The decoded header of a compact JWS.
    static func header(of token: String) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: segment(token, 0))
    }

    /// The decoded payload, with NumericDates as dates.
    static func payload<Claims: Decodable>(of token: String, as _: Claims.Type) throws -> Claims {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(Claims.self, from: segment(token, 1))
    }

    /// The payload's JSON text, exactly as signed.
    static func payloadText(of token: String) throws -> String {
        String(decoding: try segment(token, 1), as: UTF8.self)
    }

    static func segment(_ token: String, _ index: Int) throws -> Data {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URL: String(parts[index])) else { throw NotAJWT() }
        return data
    }

    /// `token` with the character at `offset` in segment `segment` replaced by a different one.
    static func flipping(_ token: String, segment: Int, offset: Int) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map { Array($0) }
        let index = min(offset, parts[segment].count - 1)
        parts[segment][index] = parts[segment][index] == "A" ? "B" : "A"
        return parts.map { String($0) }.joined(separator: ".")
    }

    /// A compact JWS from a header and payload JSON and a signature, base64url-encoded here.
    static func assemble(header: String, payload: Data, signature: [UInt8] = []) -> String {
        [Data(header.utf8).base64URL, payload.base64URL, Data(signature).base64URL].joined(separator: ".")
    }

    struct NotAJWT: Error {}
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// The webapi access token's claims, as a .NET client reads them.
struct WebAPIClaims: JWTPayload, Equatable {
    var sub: String
    var email: String?
    var unique_name: String
    var role: [String]
    var iss: String
    var aud: String
    var iat: Date
    var nbf: Date
    var exp: Date
    var jti: String
    var sid: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// ServiceStack's bearer token claims, as its JwtAuthProvider reads them.
struct BearerClaims: Decodable, Equatable {
    var iss: String
    var sub: String
    var iat: Date
    var exp: Date
    var name: String?
    var preferred_username: String
    var email: String?
    var roles: [String]
    var perms: [String]
    var sid: String
}

/// ServiceStack's refresh token claims.
struct RefreshClaims: Decodable, Equatable {
    var iss: String
    var sub: String
    var iat: Date
    var exp: Date
    var sid: String
}

/// A partner's access token, with every member optional so tests can leave any out.
struct PartnerClaims: JWTPayload {
    var user_id: Int?
    var ext_id: Int?
    var token_type: String?
    var jti: String?
    var iat: Date?
    var exp: Date?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
