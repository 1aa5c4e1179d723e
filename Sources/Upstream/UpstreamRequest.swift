/// One HTTP request to a legacy upstream service, as a plain value.
///
/// `timeoutSeconds` bounds the whole transfer and `connectTimeoutSeconds` the TCP + TLS
/// connect; a value of zero or less means "no limit" (libcurl's convention).
public struct UpstreamRequest: Sendable {
    /// HTTP method, e.g. `GET` or `POST`; sent as given.
    public var method: String
    /// Absolute `http://` or `https://` URL; other schemes are refused.
    public var url: String
    /// Request headers in order; duplicates are sent as separate lines.
    public var headers: [(String, String)]
    /// Request body bytes; empty means no body (unless the method implies one, as POST does).
    public var body: [UInt8]
    /// Upper bound for the whole transfer, in seconds.
    public var timeoutSeconds: Double
    /// Upper bound for establishing the connection, in seconds.
    public var connectTimeoutSeconds: Double
    /// The transfer fails with `timedOut` after this many seconds without a byte either way
    /// (waiting for the response head included; a transfer paused by a slow reader is exempt);
    /// zero or less: no such limit. For long streams, where a total limit would cut them off.
    public var idleTimeoutSeconds: Double = 0
    /// TLS trust and identity for `https` upstreams; verification of the peer is always on.
    public var tls: UpstreamTLS = UpstreamTLS()

    /// Creates a request; defaults suit an interactive sign-in call (5 s total, 2 s to connect).
    public init(
        method: String,
        url: String,
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        timeoutSeconds: Double = 5,
        connectTimeoutSeconds: Double = 2
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }
}
