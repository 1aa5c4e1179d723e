/// Why `GrantKeys.load` could not produce keys. Each case names the key or file at fault.
public enum GrantKeysError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key given in configuration is not usable; `key` is its path (`keys.jwtPrivateKey`).
    case invalidConfiguredKey(key: String)
    /// `keys.json` exists but cannot be read or understood. It is never silently replaced:
    /// new keys would sign everyone out.
    case unreadableKeyFile(path: String, reason: String)
    /// The state directory or `keys.json` could not be written.
    case unwritableKeyFile(path: String, reason: String)
    /// `keys` in the configuration names a key: Gatehouse does not own it, so cannot replace it.
    case configuredKeysCannotRotate

    /// A message for the operator; never contains key material.
    public var description: String {
        switch self {
        case .invalidConfiguredKey(let key): "\(key): is not a valid key"
        case .unreadableKeyFile(let path, let reason): "\(path): cannot be read: \(reason)"
        case .unwritableKeyFile(let path, let reason): "\(path): cannot be written: \(reason)"
        case .configuredKeysCannotRotate:
            "keys.jwtPrivateKey or keys.cookieSealingKey is configured: rotate by replacing it in the configuration"
        }
    }
}
