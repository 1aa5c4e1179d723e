import GatehouseCore

/// An ASP.NET Web API `HttpError`: a `Message`, and for invalid input a `ModelState` that maps
/// each offending member (`credentials.client_id`) to its messages. Rendered as JSON or, when the
/// caller's `Accept` prefers it, as the XML Web API's XmlMediaTypeFormatter writes for `HttpError`.
struct WebAPIHttpError: Error, Sendable {
    var status: Int
    var message: String
    var modelState: [(key: String, messages: [String])] = []
    var headers: [(String, String)] = []

    /// Web API's text for a model that failed validation.
    static let invalidMessage = "The request is invalid."

    /// 400 with one `ModelState` entry per offending member, in the order given.
    static func invalid(_ problems: [(key: String, messages: [String])]) -> WebAPIHttpError {
        WebAPIHttpError(status: 400, message: invalidMessage, modelState: problems)
    }

    /// 400 about the body as a whole (`credentials`: empty, not JSON, not the expected XML).
    static func invalidBody(_ message: String) -> WebAPIHttpError {
        invalid([(key: "credentials", messages: [message])])
    }

    /// Wrong password, unknown e-mail or inactive account (all `invalidCredentials`): one answer.
    static let denied = WebAPIHttpError(
        status: 401, message: "Authorization has been denied for this request.", headers: [("WWW-Authenticate", "Bearer")])

    /// 429 with `Retry-After`: the account or the client is locked out for now.
    static func lockedOut(_ seconds: Int) -> WebAPIHttpError {
        WebAPIHttpError(status: 429, message: Lockout.message(seconds), headers: [Lockout.retryAfter(seconds)])
    }

    static func methodNotAllowed(_ method: String) -> WebAPIHttpError {
        WebAPIHttpError(
            status: 405, message: "The requested resource does not support http method '\(method)'.", headers: [("Allow", "POST")])
    }

    static let tooLarge = WebAPIHttpError(status: 413, message: "The request entity is too large.")

    /// Web API's text when no formatter reads the body's media type.
    static func unsupportedMediaType(_ media: String) -> WebAPIHttpError {
        WebAPIHttpError(status: 415, message: "The request entity's media type '\(media)' is not supported for this resource.")
    }

    static let unavailable = WebAPIHttpError(status: 503, message: "The authentication service is unavailable.")

    func response(_ format: ReplyStyle.Format) -> WireResponse {
        var response: WireResponse
        switch format {
        case .xml:
            response = WireResponse(
                status: status, headers: WireHeaders([("Content-Type", WebAPIXML.contentType)]), body: Array(xml.utf8))
        case .json, .jsonp:
            response = .json(status, json)
        }
        for (name, value) in headers { response.headers.add(name, value) }
        return response
    }

    private var json: JSONValue {
        var members: [(String, JSONValue)] = [("Message", .string(message))]
        if !modelState.isEmpty {
            members.append(("ModelState", .object(modelState.map { ($0.key, .array($0.messages.map(JSONValue.string))) })))
        }
        return .object(members)
    }

    /// `<Error><Message>…</Message><ModelState><credentials.client_id>…</credentials.client_id></ModelState></Error>`:
    /// HttpError serialises its ModelState keys as element names; every key we use is a valid XML name.
    private var xml: String {
        var out = "<Error>" + WebAPIXML.element("Message", message)
        if !modelState.isEmpty {
            out += "<ModelState>"
            for entry in modelState {
                for text in entry.messages { out += WebAPIXML.element(entry.key, text) }
            }
            out += "</ModelState>"
        }
        return out + "</Error>"
    }
}
