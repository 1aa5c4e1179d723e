import GatehouseCore

/// One request value as it arrived: text from the query string or a form, or a JSON member.
enum ServiceStackFieldValue: Equatable {
    case text(String)
    case json(JSONValue)
}

/// A request body as ServiceStack reads it: fields, or the reason it cannot be read.
enum ServiceStackBody: Equatable {
    /// The body's members in order (none for an empty body).
    case fields([ServiceStackFieldValue.Named])
    /// A `Content-Type` Gatehouse does not read (415).
    case unsupported(mediaType: String)
    /// A JSON body that is not JSON or not an object (400 `SerializationException`).
    case malformed(mediaType: String)

    /// Reads `request`'s body by its `Content-Type`. A missing content type means JSON, as
    /// ServiceStack's default content type is; an empty body is an empty request DTO whatever the
    /// content type says. `multipart/form-data` is refused with 415: no ServiceStack client sends
    /// sign-ins that way, and a multipart reader is attack surface with no caller.
    init(_ request: WireRequest) {
        guard request.body.contains(where: { !Self.isWhitespace($0) }) else {
            self = .fields([])
            return
        }
        let mediaType = request.headers.mediaType ?? "application/json"
        switch mediaType {
        case "application/json", "text/json",
            _ where mediaType.hasSuffix("+json"):
            guard case .object(let members)? = JSONValue.parse(request.body) else {
                self = .malformed(mediaType: mediaType)
                return
            }
            self = .fields(members.map { ServiceStackFieldValue.Named(name: $0.0, value: .json($0.1)) })
        case "application/x-www-form-urlencoded":
            let text = String(decoding: request.body, as: UTF8.self)
            self = .fields(parseFormEncoded(Substring(text)).map { .init(name: $0.0, value: .text($0.1)) })
        default:
            self = .unsupported(mediaType: mediaType)
        }
    }

    /// The member names the body carried, in order (for casing detection).
    var names: [String] {
        guard case .fields(let fields) = self else { return [] }
        return fields.map(\.name)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

extension ServiceStackFieldValue {
    /// A value with the member name it came under.
    struct Named: Equatable {
        var name: String
        var value: ServiceStackFieldValue
    }
}

/// Binds request DTO members from the query string and the body the way ServiceStack does:
/// names matched without regard to case, the query string winning over the body, scalars
/// converted leniently, and every value that cannot be converted recorded as a binding error.
struct ServiceStackBinder {
    private let values: [ServiceStackFieldValue.Named]
    /// The members that could not be bound, in the order they were asked for.
    private(set) var errors: [ServiceStackFieldError] = []

    init(query: [(name: String, value: String)], body: [ServiceStackFieldValue.Named]) {
        values = query.map { .init(name: $0.name, value: .text($0.value)) } + body
    }

    private func raw(_ name: String) -> ServiceStackFieldValue? {
        let lowered = name.lowercased()
        return values.first { $0.name.lowercased() == lowered }?.value
    }

    /// A string member; JSON numbers and booleans are taken as their text, as ServiceStack.Text does.
    mutating func string(_ name: String) -> String? {
        switch raw(name) {
        case nil, .json(.null)?: return nil
        case .text(let s)?, .json(.string(let s))?: return s
        case .json(.bool(let b))?: return b ? "true" : "false"
        case .json(let number)? where number.isNumber: return number.text
        case .json(let other)?:
            invalid(name, other.text)
            return nil
        }
    }

    /// A boolean member: JSON `true`/`false`, or the text `true`/`false` in any case (forms and
    /// query strings). An empty value is absent.
    mutating func bool(_ name: String) -> Bool? {
        switch raw(name) {
        case nil, .json(.null)?: return nil
        case .json(.bool(let b))?: return b
        case .text(let s)?, .json(.string(let s))?:
            switch s.lowercased() {
            case "true": return true
            case "false": return false
            case "": return nil
            default:
                invalid(name, s)
                return nil
            }
        case .json(let other)?:
            invalid(name, other.text)
            return nil
        }
    }

    /// A `Dictionary<string,string>` member: a JSON object of scalars, or in a form or query
    /// string the JSON or JSV text of one (`{Key:Value,Other:Value}`).
    mutating func stringMap(_ name: String) -> [String: String] {
        let parsed: [String: String]?
        let rawText: String
        switch raw(name) {
        case nil, .json(.null)?: return [:]
        case .json(let value)?:
            parsed = Self.stringMap(value)
            rawText = value.text
        case .text(let s)?:
            if s.isEmpty { return [:] }
            parsed = JSONValue.parse(Array(s.utf8)).flatMap(Self.stringMap) ?? Self.jsvMap(s)
            rawText = s
        }
        guard let parsed else {
            invalid(name, rawText)
            return [:]
        }
        return parsed
    }

    /// Members that carry a secret, lower-cased. ServiceStack quotes the value it could not bind; for
    /// these the answer (and any log of it) must not, so their message leaves the value out.
    private static let secretMembers: Set<String> = ["password", "accesstoken", "accesstokensecret", "refreshtoken"]

    private mutating func invalid(_ name: String, _ value: String) {
        let message = Self.secretMembers.contains(name.lowercased())
            ? "Invalid value for '\(name)'" : "'\(value)' is an Invalid value for '\(name)'"
        errors.append(ServiceStackFieldError(code: "SerializationException", field: name, message: message))
    }

    private static func stringMap(_ value: JSONValue) -> [String: String]? {
        guard case .object(let members) = value else { return nil }
        var out: [String: String] = [:]
        for (key, member) in members {
            switch member {
            case .string(let s): out[key] = s
            case .bool(let b): out[key] = b ? "true" : "false"
            case .null: continue
            case let number where number.isNumber: out[key] = number.text
            default: return nil
            }
        }
        return out
    }

    /// Flat JSV maps only (`{a:b,c:"d"}`); values holding commas must come as JSON instead.
    private static func jsvMap(_ text: String) -> [String: String]? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}"), trimmed.count >= 2 else { return nil }
        var out: [String: String] = [:]
        for pair in trimmed.dropFirst().dropLast().split(separator: ",") {
            guard let colon = pair.firstIndex(of: ":") else { return nil }
            let key = unquoted(pair[..<colon].trimmingWhitespace())
            guard !key.isEmpty else { return nil }
            out[key] = unquoted(pair[pair.index(after: colon)...].trimmingWhitespace())
        }
        return out
    }

    private static func unquoted(_ text: Substring) -> String {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : String(text)
    }
}

extension JSONValue {
    fileprivate var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }
}
