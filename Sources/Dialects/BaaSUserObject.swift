import GatehouseCore

/// Seed 003's user object, member for member in the document's order.
///
/// The document shows every string filled in; a member Gatehouse does not know is written as
/// `null` rather than left out, so clients that read the fixed shape always find each key.
/// `extras` is a map without an order of its own: its keys are written sorted, so the same
/// user always gets the same bytes.
enum BaaSUserObject {
    /// The user object, with `sessionToken` last when one is given (sign-in only).
    static func json(_ identity: Identity, sessionToken: String? = nil) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let email = identity.email
        let name = identity.name
        var members: [(String, JSONValue)] = [
            ("email", .object([
                ("primary", text(email.primary)), ("secondary", text(email.secondary)),
                ("work", text(email.work)), ("other", text(email.other)),
            ])),
            ("name", .object([
                ("prefix", text(name.prefix)), ("firstName", text(name.firstName)), ("middleName", text(name.middleName)),
                ("lastName", text(name.lastName)), ("maidenName", text(name.maidenName)), ("suffix", text(name.suffix)),
            ])),
            ("extras", .object(identity.extras.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("usersId", .string(identity.subject)),
            ("username", .string(identity.userName)),
            ("active", .bool(identity.active)),
            ("createdAt", .string(HTTPDate.iso8601(identity.createdAt))),
            ("updatedAt", .string(HTTPDate.iso8601(identity.updatedAt))),
        ]
        if let sessionToken { members.append(("sessionToken", .string(sessionToken))) }
        return .object(members)
    }
}
