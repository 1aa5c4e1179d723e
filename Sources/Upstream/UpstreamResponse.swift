/// The answer of a legacy upstream service, as a plain value.
public struct UpstreamResponse: Sendable {
    /// HTTP status code of the final response (never an interim 1xx).
    public var status: Int
    /// Headers of the final response, in wire order, names as the server sent them.
    public var headers: [(String, String)]
    /// Response body bytes, exactly as received (no content decoding is requested).
    public var body: [UInt8]

    /// Creates a response value.
    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
