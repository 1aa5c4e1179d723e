import Foundation

/// One value bound to, or read from, a statement. The stores need no other types: ids and documents
/// are text, times are seconds since 1970 as doubles, counters are integers.
public enum SQLValue: Sendable, Equatable {
    case text(String)
    case real(Double)
    case integer(Int)
    case null

    /// A time as the stores keep it.
    static func time(_ date: Date) -> SQLValue { .real(date.timeIntervalSince1970) }

    var text: String? { if case .text(let value) = self { value } else { nil } }
    var integer: Int? { if case .integer(let value) = self { value } else { nil } }
    var date: Date? {
        switch self {
        case .real(let seconds): Date(timeIntervalSince1970: seconds)
        case .integer(let seconds): Date(timeIntervalSince1970: TimeInterval(seconds))
        default: nil
        }
    }
}

/// Which SQL a backend speaks, where the two differ (column types, a scalar `max`).
public enum SQLFlavor: Sendable {
    case sqlite, postgres
}

/// A database the SQL store runs its statements on: SQLite or PostgreSQL.
///
/// Statements number their parameters `$1`, `$2`, … in order of first use, which both speak, so each
/// statement of the store is written once for both.
protocol SQLBackend: Sendable {
    var flavor: SQLFlavor { get }
    /// Runs one statement and returns its rows, each a list of column values in select order.
    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]]
    /// Runs `body` with every other process that migrates this database or rotates its keys kept out, on a backend whose
    /// statements all run inside one transaction.
    func exclusively(_ body: @escaping @Sendable (any SQLBackend) async throws -> Void) async throws
}
