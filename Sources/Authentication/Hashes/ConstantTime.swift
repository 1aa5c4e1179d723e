/// Byte comparisons whose time does not depend on where the inputs differ.
enum ConstantTime {
    /// Whether `a` and `b` are equal, looking at every byte whatever the first difference.
    /// Lengths are not secret (they come from the stored hash's format), so they may end it early.
    static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
