import GatehouseCore

/// ASP.NET Web API's error bodies (`HttpError`), shared by the dialects that sit on Web API.
enum WebAPIErrors {
    static func message(_ status: Int, _ text: String, headers: [(String, String)] = []) -> WireResponse {
        .json(status, .object([("Message", .string(text))]), headers: headers)
    }

    /// 400 with `ModelState`: each key the offending member, each value its messages.
    static func modelState(_ problems: [(String, [String])]) -> WireResponse {
        let state = JSONValue.object(problems.map { ($0.0, .array($0.1.map(JSONValue.string))) })
        return .json(400, .object([("Message", .string("The request is invalid.")), ("ModelState", state)]))
    }

    static func notFound(_ path: String) -> WireResponse {
        message(404, "No HTTP resource was found that matches the request URI '\(path)'.")
    }

    static func methodNotAllowed(_ method: String) -> WireResponse {
        message(405, "The requested resource does not support http method '\(method)'.", headers: [("Allow", "POST")])
    }

    static func unsupportedMediaType(_ media: String) -> WireResponse {
        message(415, "The request entity's media type '\(media)' is not supported for this resource.")
    }

    static let tooLarge = message(413, "The request entity is too large.")
    static let unavailable = message(503, "The authentication service is unavailable.")
}
