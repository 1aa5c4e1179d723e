import Foundation

/// passlib's "adapted base64" (`ab64`): standard base64 with `.` in place of `+` and no `=` padding.
enum AdaptedBase64 {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: ".")
            .replacingOccurrences(of: "=", with: "")
    }

    /// nil for any character outside `A–Z a–z 0–9 . /` or an impossible length.
    static func decode(_ text: Substring) -> [UInt8]? {
        let isAlphabet: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "/") }
        guard text.allSatisfy(isAlphabet), text.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: ".", with: "+")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else { return nil }
        return Array(data)
    }
}
