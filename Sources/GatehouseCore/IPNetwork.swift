#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of IP addresses (`10.0.0.0/8`, `fd00::/8`, or one address): who may speak for a client
/// in forwarding headers. IPv4 is held as IPv4-mapped IPv6, so `::ffff:10.1.2.3` (how a dual-stack
/// socket names an IPv4 peer) is in `10.0.0.0/8`.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network's address, host bits cleared.
    private let bytes: [UInt8]
    /// Leading bits that must match, out of 128.
    private let prefixBits: Int
    public let description: String

    /// `address/bits`, or a lone address (all its bits). Nil for anything else, or host bits set.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.parse(String(parts[0])) else { return nil }
        let isV4 = !parts[0].contains(":")
        let width = isV4 ? 32 : 128
        var bits = width
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...width).contains(given), parts[1].utf8.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 }) else { return nil }
            bits = given
        }
        let prefixBits = bits + (128 - width)
        guard Self.masked(address, prefixBits) == address else { return nil }
        self.bytes = address
        self.prefixBits = prefixBits
        self.description = text
    }

    /// Whether `address` (as a socket names a peer; IPv6 with or without brackets) lies in the block.
    public func contains(_ address: String) -> Bool {
        var text = Substring(address)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard let parsed = Self.parse(String(text)) else { return false }
        return Self.masked(parsed, prefixBits) == bytes
    }

    /// 16 bytes: IPv6 as is, IPv4 mapped (`::ffff:a.b.c.d`).
    private static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + withUnsafeBytes(of: &address) { Array($0) }
    }

    private static func masked(_ address: [UInt8], _ bits: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let kept = min(max(bits - index * 8, 0), 8)
            return kept == 8 ? byte : byte & ~(0xFF >> UInt8(kept))
        }
    }
}

extension Array where Element == IPNetwork {
    /// Whether `address` lies in any of the blocks; false for a nil address.
    public func contain(_ address: String?) -> Bool {
        guard let address, !isEmpty else { return false }
        return contains { $0.contains(address) }
    }
}
