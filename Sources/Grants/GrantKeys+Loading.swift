import Crypto
import Foundation
import GatehouseCore

extension GrantKeys {
    /// The key ring: from configuration where given; otherwise generated once and kept in
    /// `<stateDirectory>/keys.json` (mode 0600), or with `shared` (the `postgres` store) in the database, where
    /// the first replica to start creates them and every replica uses the same ones. Read back on every
    /// start, so a restart signs nobody out.
    ///
    /// A configured key always wins over stored ones. When both keys are configured nothing is read or written.
    /// - Parameter now: which keys are active and which have retired is judged at this time.
    public static func load(
        _ settings: KeySettings, stateDirectory: String, shared: (any SharedKeyStore)? = nil, now: Date = Date()
    ) async throws -> GrantKeys {
        let configuredSigning = try settings.jwtPrivateKeyPEM.map { pem in
            guard let key = signingKey(pem: pem) else { throw GrantKeysError.invalidConfiguredKey(key: "keys.jwtPrivateKey") }
            return Signing(key)
        }
        let configuredSealing = try settings.cookieSealingKey.map { base64 in
            guard let key = sealingKey(base64: base64) else { throw GrantKeysError.invalidConfiguredKey(key: "keys.cookieSealingKey") }
            return key
        }
        if let configuredSigning, let configuredSealing {
            return GrantKeys(signing: [configuredSigning], sealing: [configuredSealing])
        }
        // What neither configuration nor storage provides is generated, and kept. Only then: a running
        // gatehouse reloads its keys every `keys.refreshSeconds`, and finds them there every time but the first.
        let needed = [configuredSigning == nil ? StoredKey.Kind.signing : nil, configuredSealing == nil ? .sealing : nil]
            .compactMap { $0 }
        var (stored, source) = try await storedKeys(creatingIfAbsent: [], stateDirectory: stateDirectory, shared: shared)
        let missing = needed.filter { kind in !stored.contains { $0.kind == kind } }
        if !missing.isEmpty {
            (stored, source) = try await storedKeys(
                creatingIfAbsent: missing.map { .generate($0, id: "\($0.rawValue)-1") }, stateDirectory: stateDirectory, shared: shared)
        }
        let signing = try configuredSigning.map { [$0] }
            ?? ring(of: .signing, in: stored, now: now, source: source) { signingKey(pem: $0).map(Signing.init) }
        let sealing = try configuredSealing.map { [$0] } ?? ring(of: .sealing, in: stored, now: now, source: source) { sealingKey(base64: $0) }
        return GrantKeys(signing: signing, sealing: sealing)
    }

    /// Adds a new signing key and a new sealing key, which start signing and sealing `publishDelay` from
    /// `now` (every running gatehouse has loaded them by then), and retires the keys in use: each keeps
    /// verifying or opening until the longest-lived artifact it can still make has expired. Keys already
    /// retired are dropped.
    ///
    /// - Returns: the ring as it is at `now` and as it will be once the new keys are active.
    /// - Throws: `GrantKeysError.configuredKeysCannotRotate` when `keys` in the configuration names a key.
    public static func rotate(
        _ settings: KeySettings, stateDirectory: String, shared: (any SharedKeyStore)?, lifetimes: KeyLifetimes, now: Date = Date()
    ) async throws -> (now: GrantKeys, activated: GrantKeys) {
        if settings.jwtPrivateKeyPEM != nil || settings.cookieSealingKey != nil { throw GrantKeysError.configuredKeysCannotRotate }
        // Make sure a first pair exists, then change what is stored.
        _ = try await load(settings, stateDirectory: stateDirectory, shared: shared, now: now)
        let activation = now.addingTimeInterval(lifetimes.publishDelay)
        let change: @Sendable ([StoredKey]) -> [StoredKey] = { stored in
            var kept = stored.filter { key in key.retiresAt.map { now < $0 } ?? true }
            for index in kept.indices where kept[index].retiresAt == nil {
                let lifetime = kept[index].kind == .signing ? lifetimes.signing : lifetimes.sealing
                kept[index].retiresAt = activation.addingTimeInterval(lifetime)
            }
            let id = UUID().uuidString.lowercased()
            kept.append(.generate(.signing, id: "signing-" + id, activatesAt: activation))
            kept.append(.generate(.sealing, id: "sealing-" + id, activatesAt: activation))
            return kept
        }
        if let shared {
            _ = try await shared.replaceKeys(change)
        } else {
            let file = KeyFile(directory: stateDirectory)
            let stored = try file.load()?.storedKeys ?? []
            try file.save(KeyFile.Contents(change(stored)))
        }
        return (
            try await load(settings, stateDirectory: stateDirectory, shared: shared, now: now),
            try await load(settings, stateDirectory: stateDirectory, shared: shared, now: activation))
    }

    /// Checks, as `gatehouse check-config` does, that `load` will accept the configured signing key; reads no
    /// files. (`GatewayConfig.parse` has already checked `keys.cookieSealingKey`, which needs no crypto.)
    public static func validate(_ settings: KeySettings) throws(ConfigError) {
        guard let pem = settings.jwtPrivateKeyPEM, signingKey(pem: pem) == nil else { return }
        throw ConfigError(issues: [ConfigIssue(path: "keys.jwtPrivateKey", message: "must be the PEM of a P-256 private key")])
    }

    /// The stored keys (creating those of `fresh` whose kind is missing) and where they are kept, for messages.
    private static func storedKeys(
        creatingIfAbsent fresh: [StoredKey], stateDirectory: String, shared: (any SharedKeyStore)?
    ) async throws -> ([StoredKey], String) {
        if let shared { return (try await shared.keys(creatingIfAbsent: fresh), "the store's gatehouse_keys table") }
        let file = KeyFile(directory: stateDirectory)
        var stored = try file.load()?.storedKeys ?? []
        let missing = fresh.filter { key in !stored.contains { $0.kind == key.kind } }
        if !missing.isEmpty {
            stored += missing
            try file.save(KeyFile.Contents(stored))
        }
        return (stored, file.path)
    }

    /// The keys of `kind` still in force at `now`: the active one (the latest already activated) first,
    /// then the others that verify, newest first (keys published but not yet active among them).
    private static func ring<Key>(
        of kind: StoredKey.Kind, in stored: [StoredKey], now: Date, source: String, parse: (String) -> Key?
    ) throws -> [Key] {
        let live = stored.enumerated().filter { $0.element.kind == kind && $0.element.retiresAt.map { now < $0 } ?? true }
        // Newest activation first; among equal ones, the later stored.
        let ordered = live.sorted { a, b in
            let (x, y) = (a.element.activatesAt ?? .distantPast, b.element.activatesAt ?? .distantPast)
            return x == y ? a.offset > b.offset : x > y
        }.map(\.element)
        guard let active = ordered.first(where: { ($0.activatesAt ?? .distantPast) <= now }) else {
            throw GrantKeysError.unreadableKeyFile(path: source, reason: "holds no \(kind.rawValue) key in force")
        }
        return try ([active] + ordered.filter { $0.id != active.id }).map { key in
            guard let parsed = parse(key.material) else {
                throw GrantKeysError.unreadableKeyFile(
                    path: source, reason: kind == .signing ? "a signing key is not a P-256 PEM key" : "a sealing key is not the base64 of 32 bytes")
            }
            return parsed
        }
    }

    private static func signingKey(pem: String) -> P256.Signing.PrivateKey? {
        try? P256.Signing.PrivateKey(pemRepresentation: pem)
    }

    private static func sealingKey(base64: String) -> SymmetricKey? {
        guard let data = Data(base64Encoded: base64), data.count == 32 else { return nil }
        return SymmetricKey(data: data)
    }
}

/// How long a replaced key must keep verifying, and how early a new one is published.
public struct KeyLifetimes: Sendable {
    /// The longest an artifact a signing key made can live (tokens, refresh tokens, assertions).
    public var signing: TimeInterval
    /// The longest a sealed cookie ticket can live.
    public var sealing: TimeInterval
    /// How long before it signs a new key is loaded by every running gatehouse.
    public var publishDelay: TimeInterval

    public init(signing: TimeInterval, sealing: TimeInterval, publishDelay: TimeInterval) {
        self.signing = signing
        self.sealing = sealing
        self.publishDelay = publishDelay
    }

    /// What `config` lets artifacts live, and twice its `keys.refreshSeconds` as the publish delay.
    public init(_ config: GatewayConfig) {
        let dialects = config.dialects
        self.signing = TimeInterval(max(
            dialects.webapi.tokenLifetimeSeconds, dialects.servicestack.bearerTokenLifetimeSeconds,
            dialects.servicestack.refreshTokenLifetimeSeconds, config.proxy.assertionLifetimeSeconds))
        self.sealing = TimeInterval(dialects.aspnet.ticketLifetimeSeconds)
        self.publishDelay = TimeInterval(2 * config.keys.refreshSeconds)
    }
}
