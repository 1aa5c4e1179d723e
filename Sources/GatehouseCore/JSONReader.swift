/// A strict RFC 8259 reader for `JSONValue`: object members come back in document order,
/// duplicates included, which `JSONDecoder` (`allKeys`) and `JSONSerialization` (a dictionary)
/// cannot promise. ServiceStack's casing detection reads the first telling member name, so the
/// order is part of the answer.
///
/// It never recurses: containers are kept on an explicit stack, so a deeply nested body costs a
/// bounded array rather than the thread's stack, and more than `maximumDepth` open containers
/// is refused. Text is validated as UTF-8, `\u` escapes must pair surrogates, numbers follow
/// the RFC's grammar, and nothing but whitespace may follow the document.
struct JSONReader {
    /// The most containers that may be open at once; a sign-in body needs three or four.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index: Int

    /// The document in `bytes`, or `nil` when they are not one JSON text.
    static func read(_ bytes: [UInt8]) -> JSONValue? {
        var reader = JSONReader(bytes)
        return reader.document()
    }

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // RFC 8259 §8.1 lets a reader ignore a byte order mark; .NET clients write one.
        index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// An open container: where its values start in the shared value stack, and for an object
    /// the member names read so far (one per value, plus the one whose value is being read).
    private struct Open {
        var isObject: Bool
        var start: Int
        var names: [String] = []
    }

    private mutating func document() -> JSONValue? {
        // The values of every open container, innermost last. One flat stack, appended to in place:
        // a container's values are moved once, when it closes.
        var values: [JSONValue] = []
        var open: [Open] = []
        skipWhitespace()
        while true {
            // A value starts here: a scalar is read whole; a container is opened, or closed at once when empty.
            guard let byte = peek() else { return nil }
            var value: JSONValue
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                let isObject = byte == UInt8(ascii: "{")
                // An empty container is a level too, though it is closed at once.
                guard open.count < Self.maximumDepth else { return nil }
                index += 1
                skipWhitespace()
                if peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    value = isObject ? .object([]) : .array([])
                } else {
                    var container = Open(isObject: isObject, start: values.count)
                    if isObject {
                        guard let name = memberName() else { return nil }
                        container.names.append(name)
                    }
                    open.append(container)
                    continue
                }
            default:
                guard let scalar = scalar() else { return nil }
                value = scalar
            }
            // The value is complete: it closes containers until one expects another value.
            while true {
                // Only the flag is read here: a copy of the container would make each name appended below copy its array.
                guard let inObject = open.last?.isObject else {
                    skipWhitespace()
                    return index == bytes.count ? value : nil
                }
                values.append(value)
                skipWhitespace()
                let separator = peek()
                index += 1
                if separator == UInt8(ascii: ",") {
                    skipWhitespace()
                    if inObject {
                        guard let name = memberName() else { return nil }
                        open[open.count - 1].names.append(name)
                    }
                    break
                }
                guard separator == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return nil }
                let closed = open.removeLast()
                let items = Array(values[closed.start...])
                values.removeSubrange(closed.start...)
                value = inObject ? .object(Array(zip(closed.names, items))) : .array(items)
            }
        }
    }

    /// `"name"` and the `:` after it, leaving the reader at the member's value.
    private mutating func memberName() -> String? {
        guard peek() == UInt8(ascii: "\""), let name = string() else { return nil }
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { return nil }
        index += 1
        skipWhitespace()
        return name
    }

    private mutating func scalar() -> JSONValue? {
        switch peek() {
        case UInt8(ascii: "\"")?: string().map(JSONValue.string)
        case UInt8(ascii: "t")?: literal("true", .bool(true))
        case UInt8(ascii: "f")?: literal("false", .bool(false))
        case UInt8(ascii: "n")?: literal("null", .null)
        default: number()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return nil }
        let matches = word.withUTF8Buffer { bytes[index..<index + count].elementsEqual($0) }
        guard matches else { return nil }
        index += count
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: an integer that fits `Int` is `.int`,
    /// anything else a finite `.double`.
    private mutating func number() -> JSONValue? {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        switch peek() {
        case UInt8(ascii: "0")?: index += 1
        case (UInt8(ascii: "1")...UInt8(ascii: "9"))?: skipDigits()
        default: return nil
        }
        var integral = true
        if peek() == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard skipDigits() else { return nil }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            integral = false
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() else { return nil }
        }
        // Only ASCII digits, signs, `.` and `e` were taken, so the text is ASCII.
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { return nil }
        return .double(double)
    }

    /// Skips `[0-9]*`; whether there was at least one.
    @discardableResult
    private mutating func skipDigits() -> Bool {
        let start = index
        while let byte = peek(), UInt8(ascii: "0")...UInt8(ascii: "9") ~= byte { index += 1 }
        return index > start
    }

    /// A string from its opening quote: escapes resolved, control characters refused, the result
    /// checked as UTF-8 (which also refuses encoded surrogates and overlong forms).
    private mutating func string() -> String? {
        index += 1
        var out: [UInt8] = []
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard escape(into: &out) else { return nil }
            case 0..<0x20:
                return nil
            default:
                out.append(byte)
            }
        }
        return nil
    }

    /// The escape after a backslash, appended as UTF-8.
    private mutating func escape(into out: inout [UInt8]) -> Bool {
        guard let byte = peek() else { return false }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard let unit = hexUnit() else { return false }
            var code = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate counts only with the low one that must follow it (RFC 8259 §7).
                guard peek() == UInt8(ascii: "\\"), peek(at: 1) == UInt8(ascii: "u") else { return false }
                index += 2
                guard let low = hexUnit(), 0xDC00...0xDFFF ~= low else { return false }
                code = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                return false
            default:
                break
            }
            guard let scalar = Unicode.Scalar(code) else { return false }
            UTF8.encode(scalar) { out.append($0) }
        default:
            return false
        }
        return true
    }

    /// Four hex digits.
    private mutating func hexUnit() -> UInt16? {
        guard bytes.count - index >= 4 else { return nil }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = bytes[index].asciiHexValue else { return nil }
            unit = unit << 4 | UInt16(digit)
            index += 1
        }
        return unit
    }

    private func peek(at offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// RFC 8259's four whitespace bytes, and no others.
    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }
}
