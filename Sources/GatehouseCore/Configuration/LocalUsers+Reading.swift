import Foundation

/// The e-mail pattern of the Web API sign-in document, used for every configured address.
public let emailPattern = #"^([\w\.\-]+)@([\w\-]+)((\.(\w){2,3})+)$"#

/// Whether `text` matches the documented e-mail pattern.
public func isEmailAddress(_ text: String) -> Bool {
    text.range(of: emailPattern, options: .regularExpression) != nil
}

extension GatewayConfig {
    static func readLocal(_ r: inout ObjectReader, name: String) -> LocalAuthenticatorSettings {
        let log = r.log
        var roleDefinitions: [String: RoleDefinition] = [:]
        if var defs = r.object("roleDefinitions") {
            for (role, value) in defs.members {
                guard var def = defs.object(role) else { continue }
                let id = def.string("id", required: true) ?? ""
                let displayName = def.string("displayName", default: role)
                def.finish()
                _ = value
                roleDefinitions[role] = RoleDefinition(id: id, displayName: displayName)
            }
        }
        var users: [LocalUser] = []
        var paths: [String] = []
        var seenIDs: Set<Int> = [], seenNames: Set<String> = [], seenEmails: Set<String> = []
        for (path, value) in r.array("users") ?? [] {
            guard var u = ObjectReader(value, path: path, log: log, required: true) else { continue }
            guard let user = readUser(&u) else { u.finish(); continue }
            u.finish()
            if !seenIDs.insert(user.id).inserted { log.add(u.childPath("id"), "repeats the id \(user.id)") }
            if !seenNames.insert(user.username.lowercased()).inserted {
                log.add(u.childPath("username"), "repeats the user name '\(user.username)'")
            }
            if !seenEmails.insert(user.email.lowercased()).inserted {
                log.add(u.childPath("email"), "repeats the e-mail address '\(user.email)'")
            }
            users.append(user)
            paths.append(path)
        }
        return LocalAuthenticatorSettings(name: name, users: users, roleDefinitions: roleDefinitions, userPaths: paths)
    }

    private static func readUser(_ u: inout ObjectReader) -> LocalUser? {
        let log = u.log
        let id = u.int("id", required: true, range: 0...Int(Int32.max))
        let uuid = u.string("uuid")
        if let uuid, UUID(uuidString: uuid) == nil { log.add(u.childPath("uuid"), "must be a UUID") }
        let username = u.string("username", required: true) ?? ""
        let email = u.string("email", required: true) ?? ""
        if !email.isEmpty, !isEmailAddress(email) { log.add(u.childPath("email"), "must be an e-mail address") }
        let hash = u.string("passwordHash", required: true) ?? ""
        var others = EmailAddresses(primary: email)
        if var e = u.object("emails") {
            others.secondary = e.string("secondary")
            others.work = e.string("work")
            others.other = e.string("other")
            e.finish()
        }
        var name = PersonName()
        if var n = u.object("name") {
            name = PersonName(
                prefix: n.string("prefix"), firstName: n.string("firstName"), middleName: n.string("middleName"),
                lastName: n.string("lastName"), maidenName: n.string("maidenName"), suffix: n.string("suffix"))
            n.finish()
        }
        let createdAt = readDate(&u, "createdAt")
        let updatedAt = readDate(&u, "updatedAt")
        let user = LocalUser(
            id: id ?? 0, uuid: uuid, externalId: u.int("externalId"), username: username, email: email,
            otherEmails: others, passwordHash: hash, displayName: u.string("displayName"), name: name,
            roles: u.strings("roles"), permissions: u.strings("permissions"), tags: u.ints("tags"),
            extras: u.stringMap("extras"), active: u.bool("active", default: true),
            createdAt: createdAt, updatedAt: updatedAt)
        return id == nil ? nil : user
    }

    private static func readDate(_ r: inout ObjectReader, _ key: String) -> Date? {
        guard let text = r.string(key) else { return nil }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            r.log.add(r.childPath(key), "must be an ISO 8601 time such as 2013-11-07T12:00:00Z")
            return nil
        }
        return date
    }
}
