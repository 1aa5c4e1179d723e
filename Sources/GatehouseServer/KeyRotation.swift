import Foundation
import GatehouseCore
import Grants
import Logging
import Stores

/// `gatehouse keys rotate`: a new signing key and a new sealing key where the configuration keeps its keys
/// (the state directory's `keys.json`, or the `postgres` store's database), the keys in use retired.
public enum KeyRotation {
    /// What a rotation did, for the operator: key ids and times, never key material.
    public struct Report: Sendable {
        /// The `kid` that signs until the new key starts.
        public var previousKeyID: String
        /// The new key's `kid`, published in the JWKS at once.
        public var newKeyID: String
        /// When the new keys start signing and sealing.
        public var activatesAt: Date
        /// Until when the previous signing key keeps verifying.
        public var previousVerifiesUntil: Date
    }

    public static func rotate(_ config: GatewayConfig, logger: Logger, now: Date = Date()) async throws -> Report {
        let state = try await StateStore.open(config.store, stateDirectory: config.stateDirectory, logger: logger)
        do {
            let lifetimes = KeyLifetimes(config)
            let (before, after) = try await GrantKeys.rotate(
                config.keys, stateDirectory: config.stateDirectory, shared: state.sharedKeys, lifetimes: lifetimes, now: now)
            await state.close()
            let activation = now.addingTimeInterval(lifetimes.publishDelay)
            return Report(
                previousKeyID: before.keyID, newKeyID: after.keyID, activatesAt: activation,
                previousVerifiesUntil: activation.addingTimeInterval(lifetimes.signing))
        } catch {
            await state.close()
            throw error
        }
    }
}
