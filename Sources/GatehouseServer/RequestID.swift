import Synchronization

/// Request ids: UUID-shaped (version 4 layout), lower case, unique within a process and
/// unpredictable across processes.
///
/// Not Foundation's `UUID()`: on Linux it opens, reads and closes `/dev/urandom` every time, three
/// system calls on every request (seen with `strace -c` under load). An id only correlates log lines,
/// it guards nothing, so a counter mixed by SplitMix64 (a bijection: distinct counters give distinct words) under a
/// per-process random seed does, without any system call.
enum RequestID {
    private static let seeds: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)

    static func make() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        var words = (mix(seeds.0 &+ n).bigEndian, mix(seeds.1 &+ n).bigEndian)
        // Straight into the string's own storage: an id is made for every request.
        return withUnsafeMutableBytes(of: &words) { bytes in
            bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
            bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
            return String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = hexDigit(bytes[index] >> 4)
                    text[at + 1] = hexDigit(bytes[index] & 0x0F)
                    at += 2
                }
                return at
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// SplitMix64's output function.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
