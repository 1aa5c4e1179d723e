import Crypto
import Foundation

/// RFC 9562 name-based UUIDs (version 5, SHA-1), written in lower case: stable ids for users and
/// roles that configuration gives no id, identical on every replica and across restarts.
enum NameBasedUUID {
    /// Python's `uuid.uuid5(uuid.NAMESPACE_URL, "urn:gatehouse:local-user")`.
    static let localUserNamespace = UUID(uuid: (
        0x88, 0x78, 0xa1, 0x24, 0x73, 0x81, 0x59, 0x2f, 0x9a, 0x54, 0x19, 0x81, 0x47, 0x60, 0xe7, 0x33))
    /// Python's `uuid.uuid5(uuid.NAMESPACE_URL, "urn:gatehouse:role")`.
    static let roleNamespace = UUID(uuid: (
        0x5a, 0x9f, 0xdf, 0x0d, 0x3d, 0x92, 0x53, 0x88, 0xa4, 0x8e, 0xd4, 0xb9, 0x4d, 0x8f, 0x55, 0x04))

    /// The subject of local user `id` of authenticator `authenticator`: the name is `"<authenticator>:<id>"`.
    static func localUser(authenticator: String, id: Int) -> String {
        make(namespace: localUserNamespace, name: "\(authenticator):\(id)")
    }

    /// The subject of a user an upstream vouched for: the name is `"upstream:<authenticator>:<user name>"`,
    /// in the local-user namespace (no local user name starts with `upstream:`).
    static func upstreamUser(authenticator: String, userName: String) -> String {
        make(namespace: localUserNamespace, name: "upstream:\(authenticator):\(userName.lowercased())")
    }

    /// The id of a role without a configured `roleDefinitions` entry: the name is the role's name.
    static func role(_ name: String) -> String {
        make(namespace: roleNamespace, name: name)
    }

    /// `uuid5(namespace, name)`: SHA-1 of the namespace bytes and the UTF-8 name, version and variant set.
    static func make(namespace: UUID, name: String) -> String {
        var input = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        input += Array(name.utf8)
        var bytes = Array(Insecure.SHA1.hash(data: input).prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x50
        bytes[8] = bytes[8] & 0x3F | 0x80
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return uuid.uuidString.lowercased()
    }
}
