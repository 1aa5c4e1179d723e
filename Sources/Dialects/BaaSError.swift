import GatehouseCore

/// The BaaS platform's error shape: a top-level JSON array of `{"code", "message"}` entries,
/// never HTML, whatever went wrong.
struct BaaSError: Error, Sendable {
    var status: Int
    var messages: [String]
    var headers: [(String, String)] = []

    init(_ status: Int, _ messages: [String], headers: [(String, String)] = []) {
        self.status = status
        self.messages = messages
        self.headers = headers
    }

    init(_ status: Int, _ message: String, headers: [(String, String)] = []) {
        self.init(status, [message], headers: headers)
    }

    static let missingAPIKey = BaaSError(401, "Missing X-Api-Key header")
    static let invalidAPIKey = BaaSError(401, "Invalid API key")
    static let invalidLogin = BaaSError(401, "Invalid username or password")
    static let missingSession = BaaSError(401, "Missing session token")
    static let invalidSession = BaaSError(401, "Invalid session token")
    static let notAnObject = BaaSError(400, "Request body must be a JSON object")
    static let tooLarge = BaaSError(413, "Request body too large")
    static let unsupportedMediaType = BaaSError(415, "Content-Type must be application/json")
    static let unavailable = BaaSError(503, "Authentication service unavailable")

    static func methodNotAllowed(allow: [String]) -> BaaSError {
        BaaSError(405, "Method not allowed", headers: [("Allow", allow.joined(separator: ", "))])
    }

    var response: WireResponse {
        .json(status, .array(messages.map { .object([("code", .int(status)), ("message", .string($0))]) }), headers: headers)
    }
}
