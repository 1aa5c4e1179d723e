import Synchronization

/// Answers remembered by key, shared across threads, bounded in the simplest way: when full, it
/// starts afresh. A key that keeps being asked for is back after one recomputation, and a caller
/// sending endless distinct keys costs recomputation, never memory.
public final class BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public func value(for key: Key) -> Value? {
        entries.withLock { $0[key] }
    }

    public func remember(_ value: Value, for key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }

    public func forget(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
