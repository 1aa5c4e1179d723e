import Foundation
import GatehouseCore

/// A sign-in body read by its media type, the way .NET model binders read one: JSON members, form pairs or
/// the child elements of an XML document, each looked up by name without regard to case.
struct FakeRequestBody {
    private var pairs: [(String, String)] = []

    /// `bytes` read as `mediaType` (`application/json`, `text/json`, `application/x-www-form-urlencoded`,
    /// `application/xml`, `text/xml`); anything else, or a body that does not parse, has no values.
    init(_ bytes: [UInt8], mediaType: String) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch mediaType {
        case "application/json", "text/json":
            guard case .object(let members)? = JSONValue.parse(bytes) else { return }
            pairs = members.compactMap { name, value in
                switch value {
                case .string(let s): (name, s)
                case .bool(let b): (name, b ? "true" : "false")
                case .int(let i): (name, String(i))
                default: nil
                }
            }
        case "application/x-www-form-urlencoded":
            pairs = FakeHTTP.form(text)
        case "application/xml", "text/xml":
            pairs = Self.elements(text)
        default:
            return
        }
    }

    /// More pairs, e.g. from the query string, looked up after the body's own.
    mutating func append(_ more: [(String, String)]) { pairs += more }

    /// The value of member `name`.
    func value(_ name: String) -> String? {
        let wanted = name.lowercased()
        return pairs.first { $0.0.lowercased() == wanted }?.1
    }

    /// `<name>text</name>` leaf elements of a flat DataContract document.
    private static func elements(_ xml: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var rest = xml[...]
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: ">") else { break }
            let name = String(rest[..<close])
            rest = rest[rest.index(after: close)...]
            guard !name.hasPrefix("/"), !name.contains(" "), !name.hasSuffix("/"), let end = rest.range(of: "</\(name)>") else { continue }
            let value = String(rest[..<end.lowerBound])
            if !value.contains("<") { out.append((name, value)) }
        }
        return out
    }
}
