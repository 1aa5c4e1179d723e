import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `<stateDirectory>/keys.json`: generated keys, kept so a restart does not sign everyone out.
struct KeyFile {
    typealias Contents = StoredKeys

    let directory: String
    var path: String { (directory as NSString).appendingPathComponent("keys.json") }

    init(directory: String) { self.directory = directory }

    /// nil when there is no file yet.
    func load() throws -> Contents? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GrantKeysError.unreadableKeyFile(path: path, reason: "permission denied")
        }
        do {
            return try JSONDecoder().decode(Contents.self, from: data)
        } catch {
            throw GrantKeysError.unreadableKeyFile(path: path, reason: "not a keys.json document")
        }
    }

    /// Writes the file with mode 0600 from the first byte (never world-readable, even briefly),
    /// then renames it into place so a crash never leaves half a file.
    func save(_ contents: Contents) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw GrantKeysError.unwritableKeyFile(path: directory, reason: "cannot create the directory")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try encoder.encode(contents))
        } catch {
            throw GrantKeysError.unwritableKeyFile(path: path, reason: "cannot encode")
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw GrantKeysError.unwritableKeyFile(path: temporary, reason: errnoText()) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw GrantKeysError.unwritableKeyFile(path: temporary, reason: "short write")
        }
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw GrantKeysError.unwritableKeyFile(path: path, reason: reason)
        }
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }
}

/// Generated keys as they are kept; the same names and encodings as the `keys` section of `gateway.json`.
public struct StoredKeys: Codable, Equatable, Sendable {
    /// PEM of the P-256 signing key.
    public var jwtPrivateKey: String?
    /// Base64 of the 32-byte cookie sealing key.
    public var cookieSealingKey: String?

    public init(jwtPrivateKey: String? = nil, cookieSealingKey: String? = nil) {
        self.jwtPrivateKey = jwtPrivateKey
        self.cookieSealingKey = cookieSealingKey
    }
}

/// Keys kept where every replica finds them (the `postgres` store), rather than in one machine's state
/// directory.
public protocol SharedKeyStore: Sendable {
    /// The stored keys, after storing each of `fresh`'s that no replica has stored yet: whichever replica
    /// stores a kind first wins, and every replica gets the winner back.
    func keys(creatingIfAbsent fresh: StoredKeys) async throws -> StoredKeys
}
