import Foundation
import GatehouseCore
import Synchronization

/// Artifacts already checked, and the grant each opened: what lets the proxy answer a request that
/// presents one without a signature check, a store lookup or a suspension.
///
/// An entry is used only while all of these hold: the artifact itself has not expired (a JWT's `exp`,
/// a ticket's or handle's expiry, the grant's — the earliest of them), it was checked less than
/// `freshness` ago (the bound on how late a sign-out on another replica is seen, as `CachedGrantStore`'s
/// lifetime is), and no grant was revoked through this service since (a sign-out here is seen at once).
/// Only artifacts that opened a live grant are kept; anything else is checked again every time.
final class CheckedArtifacts: Sendable {
    /// A class: an entry is read on every proxied request, and a `Grant` is a struct of some twenty
    /// references that a value copy would retain and release one by one.
    final class Entry: Sendable {
        let grant: Grant
        let validUntil: Date
        let checkedAt: ContinuousClock.Instant
        let generation: Int

        init(grant: Grant, validUntil: Date, checkedAt: ContinuousClock.Instant, generation: Int) {
            self.grant = grant
            self.validUntil = validUntil
            self.checkedAt = checkedAt
            self.generation = generation
        }
    }

    private let entries = BoundedMemo<String, Entry>(capacity: 10_000)
    /// Bumped by every revocation: entries made before it are not trusted again.
    private let revocations = Atomic<Int>(0)
    let freshness: Duration

    init(freshness: Duration = .milliseconds(250)) {
        self.freshness = freshness
    }

    /// The entry for `artifact` while it may be used (see above).
    func entry(for artifact: PresentedArtifact, now: Date, clock: ContinuousClock.Instant = .now) -> Entry? {
        guard let entry = entries.value(for: Self.key(artifact)), holds(entry, now: now, clock: clock) else { return nil }
        return entry
    }

    /// Whether an entry read earlier may still be used: the one rule for every use of an entry.
    func holds(_ entry: Entry, now: Date, clock: ContinuousClock.Instant = .now) -> Bool {
        entry.generation == revocations.load(ordering: .acquiring) && now < entry.validUntil
            && entry.checkedAt.duration(to: clock) < freshness
    }

    /// Remembers that `artifact` opened `grant`, valid until `validUntil` at the latest. `generation` is
    /// `currentGeneration` read before the check began, so a revocation during the check is not missed.
    func remember(_ grant: Grant, for artifact: PresentedArtifact, validUntil: Date, generation: Int) {
        entries.remember(
            Entry(grant: grant, validUntil: min(validUntil, grant.expiresAt), checkedAt: .now, generation: generation),
            for: Self.key(artifact))
    }

    var currentGeneration: Int { revocations.load(ordering: .acquiring) }

    func revoked() {
        revocations.add(1, ordering: .releasing)
    }

    private static func key(_ artifact: PresentedArtifact) -> String {
        switch artifact {
        case .applicationCookie(let value): "c" + value
        case .bearer(let value): "b" + value
        case .serviceStackSession(let value): "s" + value
        }
    }
}
