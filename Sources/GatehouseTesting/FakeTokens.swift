import Foundation
import GatehouseCore

/// Opaque artifacts a fake legacy system issues: random, meaningful only to the fake that remembers them.
public enum FakeTokens {
    /// `count` random letters and digits (ServiceStack session ids are 20 of them).
    public static func alphanumeric(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }

    /// `count` random bytes, base64url without padding.
    public static func base64URL(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// A token shaped like a JWT, `header.claims.signature`, whose signature is random bytes: Gatehouse reads
    /// a legacy token's claims but cannot know the legacy system's key, and the fake checks tokens by memory.
    public static func jwtLooking(_ claims: JSONValue) -> String {
        let header = JSONValue.object([("alg", .string("HS256")), ("typ", .string("JWT"))])
        return base64URL(Data(header.bytes)) + "." + base64URL(Data(claims.bytes)) + "." + base64URL(bytes: 32)
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension FakeTokens {
    /// A random lower-case UUID, the shape of the BaaS document's tokens and ids.
    public static func uuid() -> String { UUID().uuidString.lowercased() }
}
