import Synchronization

/// The keys in use and the signer made from them, replaced whole when the stored keys change (a
/// rotation, or a new key's time to sign has come), and read on every request without waiting.
final class KeyRing: Sendable {
    struct Current: Sendable {
        let keys: GrantKeys
        let signer: TokenSigner
    }

    private let current: Mutex<Current>

    init(keys: GrantKeys) async throws {
        current = Mutex(Current(keys: keys, signer: try await TokenSigner.make(keys: keys)))
    }

    var keys: GrantKeys { current.withLock { $0.keys } }
    var signer: TokenSigner { current.withLock { $0.signer } }

    /// Uses `keys` from now on; nothing changes when they are the keys in use (same active key, same ring).
    func use(_ keys: GrantKeys) async throws {
        let inUse = self.keys
        guard keys.keyIDs != inUse.keyIDs || keys.sealing != inUse.sealing else { return }
        let signer = try await TokenSigner.make(keys: keys)
        current.withLock { $0 = Current(keys: keys, signer: signer) }
    }
}
