import Logging

/// The request a log line belongs to, carried as a task-local value and added to a line's metadata
/// only when the line is written.
///
/// Setting `logger[metadataKey:]` per request made swift-log's `StreamLogHandler` re-render its whole
/// metadata string each time (it prettifies on every change), about 4% of a proxied request's CPU time
/// for lines that are almost never written. Install `metadataProvider` in `LoggingSystem.bootstrap`.
/// (A proxied request's lines name their route themselves.)
public enum RequestLogContext {
    @TaskLocal public static var requestID: String?

    /// Adds `request_id` of the current request to every line logged while handling it.
    public static let metadataProvider = Logger.MetadataProvider {
        requestID.map { ["request_id": .string($0)] } ?? [:]
    }
}
