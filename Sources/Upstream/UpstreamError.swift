/// Why an upstream call produced no response, or none the caller could take.
///
/// Cancellation of the calling task is reported as `CancellationError`, not as a case here.
public enum UpstreamError: Error, Sendable, Equatable {
    /// The upstream refused or did not accept the TCP connection (`CURLE_COULDNT_CONNECT`).
    case couldNotConnect
    /// The connect or total timeout of the request expired (`CURLE_OPERATION_TIMEDOUT`).
    case timedOut
    /// Any other failure, with libcurl's description (or ours, for a request refused before sending).
    case transport(String)
    /// The client was shut down before the request completed.
    case shutDown
    /// The response body was longer than the caller would read (`UpstreamClient.send`'s `maxBodyBytes`);
    /// the transfer was abandoned there.
    case responseTooLarge
}
