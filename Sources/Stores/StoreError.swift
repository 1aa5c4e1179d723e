/// Why a database store cannot serve. Every case is an outage to the caller (a 503 in the dialect's
/// shape), never a wrong password; none carries a password or a full URL.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database was made by a newer Gatehouse: this binary would misread it.
    case schemaTooNew(found: Int, supported: Int)
    /// `store.url` is not a PostgreSQL URL this gateway can use; `reason` names the part.
    case invalidURL(reason: String)
    /// The database did not answer within `store.timeoutSeconds`.
    case timedOut
    /// The database file could not be opened or written.
    case unusable(reason: String)
    /// A stored row is not what this version writes.
    case corruptRow(table: String)

    public var description: String {
        switch self {
        case .schemaTooNew(let found, let supported):
            "the database has schema version \(found), newer than the \(supported) this gatehouse knows: run the newer gatehouse, or restore a backup"
        case .invalidURL(let reason): "store.url: \(reason)"
        case .timedOut: "the database did not answer in time"
        case .unusable(let reason): "the database cannot be used: \(reason)"
        case .corruptRow(let table): "a row of \(table) is not in the form this gatehouse writes"
        }
    }
}
