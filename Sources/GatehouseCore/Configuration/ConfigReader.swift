import Foundation

/// Collects problems while a configuration document is read, so all are reported at once.
final class IssueLog {
    private(set) var issues: [ConfigIssue] = []

    func add(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path.isEmpty ? "(root)" : path, message: message))
    }
}

/// Reads one JSON object of the configuration: typed members with defaults, every unknown key an
/// issue. Call `finish()` once all known keys were read.
struct ObjectReader {
    let path: String
    let members: [(String, JSONValue)]
    let log: IssueLog
    private var known: Set<String> = []

    init?(_ value: JSONValue?, path: String, log: IssueLog, required: Bool = false) {
        self.path = path
        self.log = log
        switch value {
        case .object(let members)?:
            self.members = members
        case nil, .null?:
            if required { log.add(path, "is required") }
            return nil
        default:
            log.add(path, "must be an object")
            return nil
        }
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func raw(_ key: String) -> JSONValue? {
        known.insert(key)
        return members.first { $0.0 == key }?.1
    }

    mutating func string(_ key: String, default fallback: String) -> String {
        string(key) ?? fallback
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        switch raw(key) {
        case .string(let s)?:
            if required && s.isEmpty { log.add(childPath(key), "must not be empty") }
            return s
        case nil, .null?:
            if required { log.add(childPath(key), "is required") }
            return nil
        default:
            log.add(childPath(key), "must be a string")
            return nil
        }
    }

    mutating func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        switch raw(key) {
        case .int(let i)?:
            if let range, !range.contains(i) {
                log.add(childPath(key), "must be between \(range.lowerBound) and \(range.upperBound)")
                return nil
            }
            return i
        case nil, .null?:
            if required { log.add(childPath(key), "is required") }
            return nil
        default:
            log.add(childPath(key), "must be an integer")
            return nil
        }
    }

    mutating func bool(_ key: String, default fallback: Bool) -> Bool {
        switch raw(key) {
        case .bool(let b)?: return b
        case nil, .null?: return fallback
        default:
            log.add(childPath(key), "must be true or false")
            return fallback
        }
    }

    mutating func strings(_ key: String) -> [String] {
        guard let items = array(key) else { return [] }
        return items.compactMap { path, value in
            if case .string(let s) = value { return s }
            log.add(path, "must be a string")
            return nil
        }
    }

    mutating func ints(_ key: String) -> [Int] {
        guard let items = array(key) else { return [] }
        return items.compactMap { path, value in
            if case .int(let i) = value { return i }
            log.add(path, "must be an integer")
            return nil
        }
    }

    mutating func stringMap(_ key: String) -> [String: String] {
        guard case .object(let members)? = raw(key) else {
            if let value = members.first(where: { $0.0 == key })?.1, value != .null {
                log.add(childPath(key), "must be an object of strings")
            }
            return [:]
        }
        var out: [String: String] = [:]
        for (name, value) in members {
            if case .string(let s) = value { out[name] = s } else { log.add("\(childPath(key)).\(name)", "must be a string") }
        }
        return out
    }

    /// The elements of array member `key` with their paths; `nil` when absent.
    mutating func array(_ key: String) -> [(String, JSONValue)]? {
        switch raw(key) {
        case .array(let items)?:
            return items.enumerated().map { ("\(childPath(key))[\($0.offset)]", $0.element) }
        case nil, .null?:
            return nil
        default:
            log.add(childPath(key), "must be an array")
            return nil
        }
    }

    mutating func object(_ key: String, required: Bool = false) -> ObjectReader? {
        ObjectReader(raw(key), path: childPath(key), log: log, required: required)
    }

    /// Reports every key that was not read as unknown.
    func finish() {
        for (key, _) in members where !known.contains(key) {
            log.add(childPath(key), "is not a known key")
        }
    }
}

/// Whether `text` is an absolute http(s) URL with a host.
func isHTTPURL(_ text: String) -> Bool {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
    else { return false }
    return scheme == "http" || scheme == "https"
}
