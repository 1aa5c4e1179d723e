import Foundation
import GatehouseCore

extension LocalUser {
    /// The identity this configured user signs in as (built once, when the authenticator is).
    ///
    /// - Parameters:
    ///   - authenticator: the authenticator's configured name.
    ///   - builtAt: stands in for `createdAt`/`updatedAt` when configuration gives none.
    func identity(authenticator: String, roleDefinitions: [String: RoleDefinition], builtAt: Date) -> Identity {
        var emails = otherEmails
        emails.primary = email
        return Identity(
            subject: subject(authenticator: authenticator),
            numericID: id,
            externalID: externalId,
            userName: username,
            displayName: displayName,
            email: emails,
            name: name,
            roles: roles.map { Self.role(named: $0, definitions: roleDefinitions) },
            permissions: permissions,
            tags: tags,
            extras: extras,
            active: active,
            createdAt: createdAt ?? builtAt,
            updatedAt: updatedAt ?? builtAt,
            authenticator: authenticator
        )
    }

    /// The configured `uuid` (lower-cased, like derived ones), else one derived from (authenticator, id).
    private func subject(authenticator: String) -> String {
        if let uuid, let parsed = UUID(uuidString: uuid) {
            return parsed.uuidString.lowercased()
        }
        return NameBasedUUID.localUser(authenticator: authenticator, id: id)
    }

    private static func role(named name: String, definitions: [String: RoleDefinition]) -> Role {
        guard let definition = definitions[name] else {
            return Role(name: name, id: NameBasedUUID.role(name), displayName: name)
        }
        return Role(name: name, id: definition.id, displayName: definition.displayName)
    }
}
