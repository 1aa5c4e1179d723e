import GatehouseCore

/// One entry of `ResponseStatus.Errors`: a member that failed binding or validation.
struct ServiceStackFieldError: Equatable {
    var code: String
    var field: String
    var message: String

    /// FluentValidation's `NotEmpty` failure, as ServiceStack's validators word it
    /// (`'User Name' must not be empty.`).
    static func notEmpty(_ field: String, label: String) -> ServiceStackFieldError {
        ServiceStackFieldError(code: "NotEmpty", field: field, message: "'\(label)' must not be empty.")
    }
}

/// Writes ServiceStack answers in the shape a call asked for: member casing, JSON or JSONP.
///
/// Bodies are built with PascalCase member names (as the DTOs declare them) and cased here, so a
/// camelCase caller gets `userId`, `responseStatus`, `errorCode` from the same code.
struct ServiceStackReply {
    let style: ReplyStyle
    /// What the server adds to every cookie (`Secure` under TLS, its `SameSite`).
    let cookiePolicy: CookiePolicy

    init(_ style: ReplyStyle, cookies: CookiePolicy = CookiePolicy()) {
        self.style = style
        self.cookiePolicy = cookies
    }

    /// `name` in the caller's casing: the first letter lowered for camelCase.
    func key(_ name: String) -> String {
        guard style.camelCase, let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// An object of the members present (`nil` values are omitted, as ServiceStack omits nulls).
    func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(members.compactMap { name, value in value.map { (key(name), $0) } })
    }

    /// `body` with `status`, plus one `Set-Cookie` per cookie. JSONP answers are always 200:
    /// a `<script>` tag cannot see the status, so ServiceStack reports errors in the body only.
    func respond(_ status: Int, _ body: JSONValue, cookies: [SetCookie] = [], headers: [(String, String)] = []) -> WireResponse {
        var wire: WireResponse
        switch style.format {
        case .jsonp(let callback):
            let bytes = Array(callback.utf8) + [UInt8(ascii: "(")] + body.bytes + [UInt8(ascii: ")")]
            wire = WireResponse(status: 200, headers: WireHeaders([("Content-Type", "text/javascript; charset=utf-8")]), body: bytes)
        case .json, .xml:
            // Gatehouse speaks ServiceStack's JSON only; a caller asking for another format gets JSON.
            wire = .json(status, body)
        }
        for (name, value) in headers { wire.headers.add(name, value) }
        for cookie in cookies { wire.headers.add("Set-Cookie", cookie.applying(cookiePolicy).headerValue) }
        return wire
    }

    /// `{"ResponseStatus":{"ErrorCode":…,"Message":…,"Errors":[…]}}` with `status`.
    func error(
        _ status: Int, code: String, message: String, errors: [ServiceStackFieldError] = [],
        headers: [(String, String)] = []
    ) -> WireResponse {
        let list = errors.map { object([("ErrorCode", .string($0.code)), ("FieldName", .string($0.field)), ("Message", .string($0.message))]) }
        let responseStatus = object([
            ("ErrorCode", .string(code)),
            ("Message", .string(message)),
            ("Errors", list.isEmpty ? nil : .array(list)),
        ])
        return respond(status, object([("ResponseStatus", responseStatus)]), headers: headers)
    }

    /// 400 `ValidationException`: the top-level message is the first error's, as ServiceStack writes it.
    func validation(_ errors: [ServiceStackFieldError]) -> WireResponse {
        error(400, code: "ValidationException", message: errors.first?.message ?? "Validation failed", errors: errors)
    }

    /// 400 `SerializationException` for members that could not be bound to the request DTO.
    func binding(_ errors: [ServiceStackFieldError], request: String) -> WireResponse {
        error(400, code: "SerializationException", message: "Unable to bind to request '\(request)'", errors: errors)
    }

    /// 429 `TooManyRequests` (the `HttpStatusCode` name, as ServiceStack's `HttpError` codes its
    /// errors) with `Retry-After`.
    func tooManyRequests(retryAfter seconds: Int) -> WireResponse {
        error(429, code: "TooManyRequests", message: Lockout.message(seconds), headers: [Lockout.retryAfter(seconds)])
    }

    /// 401 for a bad login or an inactive account alike: the caller learns nothing more.
    var invalidCredentials: WireResponse {
        error(401, code: "Unauthorized", message: "Invalid Username or Password")
    }

    /// 401 for `GET /auth` without a live session.
    var notAuthenticated: WireResponse {
        error(401, code: "Unauthorized", message: "Not Authenticated")
    }

    /// 503 when a legacy upstream could not be asked.
    var upstreamUnavailable: WireResponse {
        error(503, code: "ServiceUnavailable", message: "Authentication service unavailable")
    }
}
