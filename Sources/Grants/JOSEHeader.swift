import Foundation

/// The members of a compact JWS header that decide who may verify a token, read before any
/// key is chosen: jwt-kit picks a key by `kid` and does not compare `alg` with it, so the
/// algorithm is pinned here (no `none`, no HS256 "signed" with our public key).
struct JOSEHeader: Decodable, Equatable {
    var alg: String?
    var kid: String?
    var typ: String?

    /// nil when `token` is not three base64url segments with a JSON object header.
    init?(token: String) {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let bytes = Base64URL.decode(segments[0]),
            let header = try? JSONDecoder().decode(JOSEHeader.self, from: Data(bytes))
        else { return nil }
        self = header
    }
}
