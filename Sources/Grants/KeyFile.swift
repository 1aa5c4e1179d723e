import Crypto
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
    /// The file's members. `jwtPrivateKey` and `cookieSealingKey` are how versions before key rotation
    /// wrote it (and the names of `keys` in `gateway.json`); they are read as the first key of each kind.
    struct Contents: Codable, Equatable {
        var jwtPrivateKey: String?
        var cookieSealingKey: String?
        var keys: [StoredKey]?

        var storedKeys: [StoredKey] {
            var all: [StoredKey] = []
            if let jwtPrivateKey { all.append(StoredKey(id: "signing-1", kind: .signing, material: jwtPrivateKey)) }
            if let cookieSealingKey { all.append(StoredKey(id: "sealing-1", kind: .sealing, material: cookieSealingKey)) }
            return all + (keys ?? [])
        }

        init(_ keys: [StoredKey]) {
            self.keys = keys
        }
    }

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
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(Contents.self, from: data)
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
        encoder.dateEncodingStrategy = .iso8601
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

/// One generated key as it is kept: in `keys.json`, or as a row of the shared store's `gatehouse_keys`.
public struct StoredKey: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// A P-256 private key (PEM) that signs JWTs.
        case signing
        /// 32 bytes (base64) that seal cookie tickets.
        case sealing
    }

    /// Unique among the stored keys; never shown to a client (the JWT `kid` is the key's thumbprint).
    public var id: String
    public var kind: Kind
    public var material: String
    /// When the key starts signing or sealing; nil: from the start. Until then it only verifies or opens,
    /// so every replica knows it before the first artifact made with it reaches one.
    public var activatesAt: Date?
    /// When the key stops verifying or opening, once a newer key has replaced it; nil: not replaced.
    public var retiresAt: Date?

    public init(id: String, kind: Kind, material: String, activatesAt: Date? = nil, retiresAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.material = material
        self.activatesAt = activatesAt
        self.retiresAt = retiresAt
    }

    /// A new random key of `kind`.
    public static func generate(_ kind: Kind, id: String, activatesAt: Date? = nil) -> StoredKey {
        let material = switch kind {
        case .signing: P256.Signing.PrivateKey().pemRepresentation
        case .sealing: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
        }
        return StoredKey(id: id, kind: kind, material: material, activatesAt: activatesAt)
    }
}

/// Keys kept where every replica finds them (the `postgres` store), rather than in one machine's state
/// directory.
public protocol SharedKeyStore: Sendable {
    /// The stored keys, after storing each key of `fresh` whose kind no replica has stored yet: whichever
    /// replica stores a kind first wins, and every replica gets the winner back.
    func keys(creatingIfAbsent fresh: [StoredKey]) async throws -> [StoredKey]
    /// Replaces the stored keys by `change(stored)`, with no other replica rotating at the same time.
    func replaceKeys(_ change: @escaping @Sendable ([StoredKey]) -> [StoredKey]) async throws -> [StoredKey]
}
