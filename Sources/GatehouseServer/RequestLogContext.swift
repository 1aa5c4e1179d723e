import Logging

/// The request a log line belongs to, carried as a task-local value and added to a line's metadata
/// only when the line is written.
///
/// Setting `logger[metadataKey:]` per request made swift-log's `StreamLogHandler` re-render its whole
/// metadata string each time (it prettifies on every change), about 4% of a proxied request's CPU time
/// for lines that are almost never written. Install `metadataProvider` in `LoggingSystem.bootstrap`.
public struct RequestLogContext: Sendable {
    public var requestID: String?
    public var route: String?

    @TaskLocal public static var current = RequestLogContext()

    public init(requestID: String? = nil, route: String? = nil) {
        self.requestID = requestID
        self.route = route
    }

    /// Adds `request_id` and `route` of the current request to every line logged while handling it.
    public static let metadataProvider = Logger.MetadataProvider {
        let context = current
        var metadata: Logger.Metadata = [:]
        if let requestID = context.requestID { metadata["request_id"] = .string(requestID) }
        if let route = context.route { metadata["route"] = .string(route) }
        return metadata
    }
}
