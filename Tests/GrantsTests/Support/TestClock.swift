import Foundation
import Synchronization

/// A clock the tests move by hand, so expiry is exact and instant.
final class TestClock: Sendable {
    /// 2023-11-14T22:13:20Z: whole seconds, so NumericDates equal the grant's times exactly.
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    private let current: Mutex<Date>

    init(_ start: Date = TestClock.start) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
