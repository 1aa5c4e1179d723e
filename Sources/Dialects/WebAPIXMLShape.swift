/// Whether an XML body is a well-formed XML 1.0 document within the subset a DataContractSerializer
/// client writes, read byte by byte before any parser sees it.
///
/// On Linux, Foundation's XMLParser leaks the error object it builds from every libxml2 parse error
/// (about 85 bytes of resident memory per malformed request, measured), so only a document libxml2
/// parses without any error may reach it. The subset is stricter than XML 1.0 wherever no client
/// loses by it:
/// - an optional byte order mark, then an optional XML declaration (`version="1.0"`, then optionally
///   `encoding` — UTF-8, US-ASCII or ISO-8859-1 — and `standalone`, in that order);
/// - comments and white space around exactly one root element, nested at most ``maximumDepth`` deep,
///   with at most ``maximumAttributes`` attributes on an element and ``maximumPrefixes`` prefixes in scope;
/// - ASCII names (letters, digits, `_`, `-`, `.`, one optional `prefix:`), every prefix declared by an
///   `xmlns:prefix` on the element or an ancestor (`xml` is predefined), namespace names absolute URIs;
/// - quoted attribute values, no attribute twice on one element (nor one local name under two prefixes);
/// - text and values whose `&` starts one of the five predefined entities or a character reference to a
///   valid XML character, with no `<` and no `]]>` in text; CDATA sections inside the root;
/// - every character a valid XML 1.0 `Char`.
///
/// A document type declaration and processing instructions are refused; ``WebAPIXML`` refuses them earlier,
/// with their own messages.
struct WebAPIXMLShape {
    /// Deepest nesting let through; a `ClientCredentials` document is two elements deep.
    static let maximumDepth = 64
    /// Most attributes let through on one element (DataContract writes at most a few `xmlns…` and `i:…`);
    /// the bound also keeps the pairwise duplicate check cheap.
    static let maximumAttributes = 16
    /// Most `xmlns:prefix` declarations in scope at once, which bounds the work of each prefix lookup.
    static let maximumPrefixes = 16
    /// UTF-8's byte order mark, which may open the document.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// XML's white space (`S`, XML 1.0 §2.3).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// Whether `body` may be handed to XMLParser.
    static func isWellFormed(_ body: [UInt8]) -> Bool {
        guard let text = String(validating: body, as: UTF8.self),
            text.unicodeScalars.allSatisfy({ isXMLChar($0.value) })
        else { return false }
        var scanner = WebAPIXMLShape(bytes: body)
        return scanner.document()
    }

    /// An element whose end tag has not been read yet.
    private struct OpenElement {
        var name: ArraySlice<UInt8>
        /// Prefixes its start tag declares with `xmlns:prefix`.
        var declared: [ArraySlice<UInt8>]
    }

    private let bytes: [UInt8]
    private var position = 0
    private var open: [OpenElement] = []

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: document

    /// `document ::= BOM? XMLDecl? Misc* element Misc*`, with comments as the only `Misc` besides white space.
    private mutating func document() -> Bool {
        let hasBOM = skip(Self.byteOrderMark)
        if looking(at: "<?xml"), !declaration(hasBOM: hasBOM) { return false }
        guard miscellany(), peek == UInt8(ascii: "<"), element(), miscellany() else { return false }
        return position == bytes.count
    }

    /// `<?xml version="1.0" encoding="…" standalone="…"?>`, the last two optional, in that order.
    private mutating func declaration(hasBOM: Bool) -> Bool {
        position += 5
        guard space(), skip("version"), equals(), let version = quoted(), version.elementsEqual("1.0".utf8) else {
            return false
        }
        var hadSpace = space()
        if hadSpace, skip("encoding") {
            guard equals(), let name = quoted() else { return false }
            let encoding = String(decoding: name, as: UTF8.self).lowercased()
            let known = hasBOM ? ["utf-8", "utf8"] : WebAPIXML.declarableEncodings
            guard known.contains(encoding) else { return false }
            // libxml2 fails on the first byte US-ASCII cannot hold.
            if encoding == "us-ascii", bytes.contains(where: { $0 >= 0x80 }) { return false }
            hadSpace = space()
        }
        if hadSpace, skip("standalone") {
            guard equals(), let value = quoted(), value.elementsEqual("yes".utf8) || value.elementsEqual("no".utf8) else {
                return false
            }
            _ = space()
        }
        return skip("?>")
    }

    /// White space and comments.
    private mutating func miscellany() -> Bool {
        while true {
            _ = space()
            guard looking(at: "<!--") else { return true }
            guard comment() else { return false }
        }
    }

    /// The root element and everything in it, with an explicit stack of open elements instead of recursion.
    private mutating func element() -> Bool {
        guard startTag() else { return false }
        while !open.isEmpty {
            guard let byte = peek else { return false }
            switch byte {
            case UInt8(ascii: "<"):
                if looking(at: "</") {
                    guard endTag() else { return false }
                } else if looking(at: "<!--") {
                    guard comment() else { return false }
                } else if looking(at: "<![CDATA[") {
                    guard characterData() else { return false }
                } else {
                    guard startTag() else { return false }
                }
            case UInt8(ascii: "&"):
                guard reference() else { return false }
            case UInt8(ascii: "]") where looking(at: "]]>"):
                return false
            default:
                position += 1
            }
        }
        return true
    }

    // MARK: tags

    /// `<name attr="value" …>` or `<name …/>`; an element left open goes on the stack.
    private mutating func startTag() -> Bool {
        position += 1
        guard let name = qualifiedName() else { return false }
        var attributes: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
        var isEmpty = false
        while true {
            let hadSpace = space()
            if skip("/>") {
                isEmpty = true
                break
            }
            if skip(">") { break }
            // Attributes are separated by white space: `<a b="1"c="2">` is an error.
            guard hadSpace, attributes.count < Self.maximumAttributes, let attribute = qualifiedName(), equals(),
                let value = quoted()
            else { return false }
            attributes.append((attribute, value))
        }
        guard let declared = declaredPrefixes(attributes),
            open.reduce(declared.count, { $0 + $1.declared.count }) <= Self.maximumPrefixes
        else { return false }
        let element = OpenElement(name: name, declared: declared)
        guard isInScope(prefix(of: name), adding: element), hasDistinctNames(attributes) else { return false }
        for attribute in attributes {
            let prefix = prefix(of: attribute.name)
            if prefix?.elementsEqual("xmlns".utf8) == true { continue }
            guard isInScope(prefix, adding: element) else { return false }
        }
        if !isEmpty {
            open.append(element)
            guard open.count <= Self.maximumDepth else { return false }
        }
        return true
    }

    /// `</name>`, which must close the innermost open element.
    private mutating func endTag() -> Bool {
        position += 2
        guard let name = qualifiedName(), name == open.last?.name else { return false }
        _ = space()
        guard skip(">") else { return false }
        open.removeLast()
        return true
    }

    /// The prefixes `xmlns:prefix="uri"` attributes declare, nil when a declaration is one libxml2 reports:
    /// a reserved prefix, an empty or relative URI, or a reserved namespace name.
    private func declaredPrefixes(_ attributes: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)]) -> [ArraySlice<UInt8>]? {
        var declared: [ArraySlice<UInt8>] = []
        for attribute in attributes {
            let isDefault = attribute.name.elementsEqual("xmlns".utf8)
            guard isDefault || prefix(of: attribute.name)?.elementsEqual("xmlns".utf8) == true else { continue }
            guard (isDefault && attribute.value.isEmpty) || Self.isNamespaceName(attribute.value) else { return nil }
            if isDefault { continue }
            let local = localName(of: attribute.name)
            guard !local.elementsEqual("xml".utf8), !local.elementsEqual("xmlns".utf8) else { return nil }
            declared.append(local)
        }
        return declared
    }

    /// Whether `prefix` (nil: none) is predefined or declared on `element` or an open ancestor.
    private func isInScope(_ prefix: ArraySlice<UInt8>?, adding element: OpenElement) -> Bool {
        guard let prefix else { return true }
        if prefix.elementsEqual("xml".utf8) { return true }
        return element.declared.contains(prefix) || open.contains { $0.declared.contains(prefix) }
    }

    /// No name twice, and no local name under two prefixes: `p:a` and `q:a` clash when both prefixes
    /// name the same namespace, which is not worth resolving here.
    private func hasDistinctNames(_ attributes: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)]) -> Bool {
        for (index, attribute) in attributes.enumerated() {
            for other in attributes[..<index] {
                if attribute.name == other.name { return false }
                if prefix(of: attribute.name) != nil, prefix(of: other.name) != nil,
                    localName(of: attribute.name) == localName(of: other.name)
                {
                    return false
                }
            }
        }
        return true
    }

    // MARK: text

    /// `<!-- … -->` without `--` inside.
    private mutating func comment() -> Bool {
        position += 4
        guard let dashes = index(of: "--") else { return false }
        position = dashes + 2
        return skip(">")
    }

    /// `<![CDATA[ … ]]>`.
    private mutating func characterData() -> Bool {
        position += 9
        guard let end = index(of: "]]>") else { return false }
        position = end + 3
        return true
    }

    /// `&amp;`, `&lt;`, `&gt;`, `&apos;`, `&quot;`, `&#N;` or `&#xH;` naming a valid XML character.
    private mutating func reference() -> Bool {
        position += 1
        for entity in ["amp;", "lt;", "gt;", "apos;", "quot;"] {
            if skip(entity) { return true }
        }
        guard skip("#") else { return false }
        let radix: UInt32 = skip("x") ? 16 : 10
        var value: UInt32 = 0
        var digits = 0
        while let byte = peek, let digit = Self.digit(byte, radix: radix) {
            value = value * radix + digit
            digits += 1
            position += 1
            // Past the last code point: stop before the value can overflow.
            guard value <= 0x10FFFF else { return false }
        }
        return digits > 0 && skip(";") && Self.isXMLChar(value)
    }

    /// A quoted attribute value, without its quotes: no `<`, and every `&` a valid reference.
    private mutating func quoted() -> ArraySlice<UInt8>? {
        guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
        position += 1
        let start = position
        while let byte = peek, byte != quote {
            switch byte {
            case UInt8(ascii: "<"): return nil
            case UInt8(ascii: "&"): guard reference() else { return nil }
            default: position += 1
            }
        }
        guard peek == quote else { return nil }
        position += 1
        return bytes[start..<(position - 1)]
    }

    // MARK: names

    /// `name` or `prefix:name`, each part an ASCII letter or `_` followed by letters, digits, `_`, `-`, `.`.
    private mutating func qualifiedName() -> ArraySlice<UInt8>? {
        let start = position
        guard ncName() else { return nil }
        if skip(":"), !ncName() { return nil }
        return bytes[start..<position]
    }

    private mutating func ncName() -> Bool {
        guard let first = peek, Self.isLetter(first) || first == UInt8(ascii: "_") else { return false }
        position += 1
        while let byte = peek, Self.isLetter(byte) || Self.digit(byte, radix: 10) != nil || "_-.".utf8.contains(byte) {
            position += 1
        }
        return true
    }

    private func prefix(of name: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        name.firstIndex(of: UInt8(ascii: ":")).map { name[..<$0] }
    }

    private func localName(of name: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        name.firstIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name
    }

    // MARK: bytes

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func looking(at literal: String) -> Bool { bytes[position...].starts(with: literal.utf8) }

    /// Where `literal` next occurs from the current position.
    private func index(of literal: String) -> Int? {
        let pattern = Array(literal.utf8)
        guard let first = pattern.first else { return position }
        var candidate = position
        while let found = bytes[candidate...].firstIndex(of: first) {
            if bytes[found...].starts(with: pattern) { return found }
            candidate = found + 1
        }
        return nil
    }

    /// Moves past `literal` when it comes next.
    private mutating func skip(_ literal: String) -> Bool { skip(literal.utf8) }

    private mutating func skip(_ literal: some Collection<UInt8>) -> Bool {
        guard bytes[position...].starts(with: literal) else { return false }
        position += literal.count
        return true
    }

    /// Skips XML white space (`S`, XML 1.0 §2.3); whether there was any.
    private mutating func space() -> Bool {
        let start = position
        while let byte = peek, Self.isSpace(byte) { position += 1 }
        return position > start
    }

    /// `Eq ::= S? '=' S?`.
    private mutating func equals() -> Bool {
        _ = space()
        guard skip("=") else { return false }
        _ = space()
        return true
    }

    // MARK: character classes

    /// XML 1.0 `Char` (§2.2).
    static func isXMLChar(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x1_0000...0x10_FFFF: true
        default: false
        }
    }

    /// An absolute URI, as libxml2 wants a namespace name (it reports a relative or unparsable one):
    /// `scheme:rest`, the rest only letters, digits and `-._~/`. A second colon could start a port
    /// that libxml2 fails to parse (`http://a:b/`); DataContract namespaces need none of it.
    private static func isNamespaceName(_ value: ArraySlice<UInt8>) -> Bool {
        guard let colon = value.firstIndex(of: UInt8(ascii: ":")), let first = value.first, isLetter(first),
            value[value.startIndex..<colon].allSatisfy({ isLetter($0) || digit($0, radix: 10) != nil || "+.-".utf8.contains($0) }),
            colon + 1 < value.endIndex
        else { return false }
        let reserved = ["http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/"]
        guard !reserved.contains(where: { value.elementsEqual($0.utf8) }) else { return false }
        return value[(colon + 1)...].allSatisfy { isLetter($0) || digit($0, radix: 10) != nil || "-._~/".utf8.contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func digit(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
