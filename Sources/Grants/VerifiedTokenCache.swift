import Foundation
import Synchronization

/// The claims of Gatehouse JWTs whose signature has already been checked, by token.
///
/// A client presents the same bearer on every request; checking its ES256 signature each time
/// costs more than the rest of a proxied request. Only tokens that verified are stored, keyed
/// by the whole token, so a hit is exactly as trustworthy as a fresh check; expiry is still
/// judged on every use and the grant is still looked up (revocation reaches cached tokens).
final class VerifiedTokenCache: Sendable {
    private let entries = Mutex<[String: GrantBoundClaims]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func claims(of token: String) -> GrantBoundClaims? {
        entries.withLock { $0[token] }
    }

    func remember(_ claims: GrantBoundClaims, for token: String) {
        entries.withLock { entries in
            // Simple bound: start afresh when full. Tokens re-verify once; nothing grows without limit.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}
