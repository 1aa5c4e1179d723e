import Foundation
import Synchronization

/// The upstream URLs of one route, handed out round-robin. One that refused a connection is
/// tried last for a few seconds, so a dead replica does not cost every request a refused connect.
final class UpstreamPool: Sendable {
    let urls: [String]
    private let next = Atomic<Int>(0)
    private let refusedUntil: Mutex<[String: ContinuousClock.Instant]> = Mutex([:])

    static let penalty: Duration = .seconds(5)

    init(_ urls: [String]) {
        self.urls = urls
    }

    /// Every URL once, in the order to try them for one request.
    func order(now: ContinuousClock.Instant = .now) -> [String] {
        guard urls.count > 1 else { return urls }
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let rotated = (0..<urls.count).map { urls[(start + $0) % urls.count] }
        let refused = refusedUntil.withLock { $0 }
        guard !refused.isEmpty else { return rotated }
        let isDown = { (url: String) in refused[url].map { now < $0 } ?? false }
        return rotated.filter { !isDown($0) } + rotated.filter(isDown)
    }

    /// `url` refused a connection: put it last for a while.
    func refused(_ url: String, now: ContinuousClock.Instant = .now) {
        guard urls.count > 1 else { return }
        refusedUntil.withLock { $0[url] = now + Self.penalty }
    }

    /// `url` answered: it is in the rotation again.
    func answered(_ url: String) {
        guard urls.count > 1 else { return }
        refusedUntil.withLock { refused in
            if !refused.isEmpty { refused[url] = nil }
        }
    }
}
