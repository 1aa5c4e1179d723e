import Foundation
import GatehouseCore

/// ASP.NET Identity "SignInInternal": `POST /{route}/SignIn` with `UserName`, `Password`, `Remember`,
/// answered with `UserInfo`, `ResponseCookies`, `IsValid` and Katana's cookies (seed 000).
public struct AspNetDialect: Dialect {
    public let id = DialectID.aspnet
    public let artifactKinds: Set<ArtifactKind> = [.applicationCookie]
    let settings: AspNetSettings

    /// The cookie Katana's cookie middleware issues.
    public static let applicationCookie = ".AspNet.ApplicationCookie"
    public static let externalCookie = ".AspNet.ExternalCookie"

    public init(settings: AspNetSettings) {
        self.settings = settings
    }

    public func decode(_ request: WireRequest) -> DialectCall? {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count == 2, segments[1].lowercased() == "signin" else { return nil }
        let route = String(segments[0])
        guard settings.routes.contains(route) else {
            let message = "No HTTP resource was found that matches the request URI '\(request.path)'."
            return DialectCall(.respond(WebAPIHttpError(status: 404, message: message).response(.json)), isUnknownEndpoint: true)
        }
        guard request.method == "POST" else {
            return DialectCall(.respond(WebAPIHttpError.methodNotAllowed(request.method).response(.json)))
        }
        if request.bodyTooLarge { return DialectCall(.respond(WebAPIHttpError.tooLarge.response(.json))) }
        if let media = request.headers.mediaType, media != "application/json", media != "text/json" {
            return DialectCall(.respond(WebAPIHttpError.unsupportedMediaType(media).response(.json)))
        }
        switch Self.credentials(in: request.body) {
        case .failure(let response):
            return DialectCall(.respond(response))
        case .success(let (userName, password, remember)):
            var client = request.clientContext
            client.meta = [:]
            let signIn = SignInRequest(
                credential: .password(login: userName, secret: password), remember: remember, dialect: .aspnet,
                clusterRoute: route, client: client)
            return DialectCall(.signIn(signIn), reply: ReplyStyle(host: settings.cookieDomain ?? request.host, remember: remember))
        }
    }

    /// Reads the JSON body the way Web API's model binder would: members matched without regard to case.
    static func credentials(in body: [UInt8]) -> Result<(String, String, Bool), WireResponse> {
        guard !body.isEmpty else {
            return .failure(WebAPIHttpError.invalid([(key: "model", messages: ["The request body is required."])]).response(.json))
        }
        guard let json = JSONValue.parse(body), case .object = json else {
            return .failure(WebAPIHttpError.invalid([(key: "model", messages: ["The request body is not a valid JSON object."])]).response(.json))
        }
        var problems: [(key: String, messages: [String])] = []
        func text(_ key: String) -> String? {
            switch json.member(caseInsensitive: key) {
            case .string(let s)? where !s.isEmpty: return s
            case nil, .null?, .string?: problems.append(("model.\(key)", ["The \(key) field is required."]))
            default: problems.append(("model.\(key)", ["The \(key) field must be a string."]))
            }
            return nil
        }
        let userName = text("UserName")
        let password = text("Password")
        var remember = false
        switch json.member(caseInsensitive: "Remember") {
        case .bool(let b)?: remember = b
        case nil, .null?: break
        default: problems.append(("model.Remember", ["The Remember field must be true or false."]))
        }
        guard problems.isEmpty, let userName, let password else {
            return .failure(WebAPIHttpError.invalid(problems).response(.json))
        }
        return .success((userName, password, remember))
    }

    public func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse {
        switch result {
        case .signedIn(let signedIn):
            return signedInResponse(signedIn, style: call.reply)
        case .failed(.upstreamUnavailable):
            return WebAPIHttpError.unavailable.response(.json)
        case .failed(.invalidInput(let field, let message)):
            return WebAPIHttpError.invalid([(key: "model.\(field)", messages: [message])]).response(.json)
        case .failed, .resolved, .signedOut, .refreshed:
            // Katana's SignInInternal answers a refused sign-in with 200 and IsValid false, and no cookie.
            let body = JSONValue.object([("UserInfo", .null), ("ResponseCookies", .array([])), ("IsValid", .bool(false))])
            return .json(200, body, headers: Self.noCacheHeaders)
        }
    }

    /// Katana marks every sign-in answer as not cacheable.
    static let noCacheHeaders = [("Cache-Control", "no-cache"), ("Pragma", "no-cache"), ("Expires", "-1")]

    private func signedInResponse(_ signedIn: SignedIn, style: ReplyStyle) -> WireResponse {
        let grant = signedIn.grant
        let identity = signedIn.identity
        let ticket = signedIn.artifacts.applicationCookie ?? ""
        let domain = style.host ?? "localhost"
        let cookieExpiry = grant.persistent ? grant.expiresAt : nil
        let external = SetCookie(
            name: Self.externalCookie, value: "", expires: Date(timeIntervalSince1970: 0), dashedExpires: true,
            httpOnly: false)
        let application = SetCookie(
            name: Self.applicationCookie, value: ticket, expires: cookieExpiry, dashedExpires: true,
            secure: settings.secureCookies, httpOnly: true)

        let roles = identity.roles.map { JSONValue.object([("Id", .string($0.id)), ("DisplayName", .string($0.displayName))]) }
        let userInfo = JSONValue.object([
            ("UserName", .string(identity.userName)),
            ("Roles", .array(roles)),
            ("Logins", .array([])),
            ("Claims", .array([])),
        ])
        let stamp = DotNetDate.roundTrip(grant.issuedAt)
        let cookies = JSONValue.array([
            Self.cookieObject(external, domain: domain, expired: true, expires: DotNetDate.roundTrip(Date(timeIntervalSince1970: 0)), stamp: stamp),
            Self.cookieObject(application, domain: domain, expired: false,
                              expires: cookieExpiry.map(DotNetDate.roundTrip) ?? DotNetDate.minValue, stamp: stamp),
        ])
        let body = JSONValue.object([("UserInfo", userInfo), ("ResponseCookies", cookies), ("IsValid", .bool(true))])
        var headers = Self.noCacheHeaders
        headers.append(("Set-Cookie", external.headerValue))
        headers.append(("Set-Cookie", application.headerValue))
        return .json(200, body, headers: headers)
    }

    /// A `System.Net.Cookie` as Json.NET serialises it, members in the document's order.
    private static func cookieObject(_ cookie: SetCookie, domain: String, expired: Bool, expires: String, stamp: String) -> JSONValue {
        .object([
            ("Comment", .string("")),
            ("HttpOnly", .bool(cookie.httpOnly)),
            ("Discard", .bool(false)),
            ("Domain", .string(domain)),
            ("Expired", .bool(expired)),
            ("Expires", .string(expires)),
            ("Name", .string(cookie.name)),
            ("Path", .string(cookie.path)),
            ("Port", .string("")),
            ("Secure", .bool(cookie.secure)),
            ("TimeStamp", .string(stamp)),
            ("Value", .string(cookie.value)),
            ("Version", .int(0)),
        ])
    }
}

/// `DateTime` as Json.NET writes it.
enum DotNetDate {
    /// `DateTime.MinValue`, which has no time zone: a cookie with no expiry.
    static let minValue = "0001-01-01T00:00:00"

    /// The round-trip form of a UTC `DateTime`: `2015-06-25T08:46:17.1464796Z` (seven fraction digits, as .NET ticks).
    static func roundTrip(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let ticks = Int(((date.timeIntervalSince1970 - seconds) * 10_000_000).rounded(.down))
        let whole = HTTPDate.iso8601(Date(timeIntervalSince1970: seconds)).dropLast()
        return ticks == 0 ? "\(whole)Z" : "\(whole).\(String(ticks).leftPadded(to: 7))Z"
    }
}
