import Foundation
import GatehouseCore

/// ASP.NET Identity "SignInInternal": `POST /{route}/SignIn` with `UserName`, `Password`, `Remember`,
/// answered with `UserInfo`, `ResponseCookies`, `IsValid` and Katana's cookies (seed 000); and
/// `POST /{route}/SignOut`, which revokes the grant behind `.AspNet.ApplicationCookie` and expires
/// the cookie as Katana's cookie middleware does.
public struct AspNetDialect: Dialect {
    public let id = DialectID.aspnet
    public let artifactKinds: Set<ArtifactKind> = [.applicationCookie]
    let settings: AspNetSettings
    /// The server's cookie attributes (`Secure` under TLS, `SameSite`), on top of Katana's own.
    let cookiePolicy: CookiePolicy

    /// The cookie Katana's cookie middleware issues.
    public static let applicationCookie = ".AspNet.ApplicationCookie"
    public static let externalCookie = ".AspNet.ExternalCookie"

    /// `/{route}/SignIn` and `/{route}/SignOut` for each configured route (the route as configured,
    /// the action in any case, as ASP.NET matches them); under any other first segment, the shape
    /// of an unknown controller.
    public let endpoints: DialectEndpoints

    public init(settings: AspNetSettings, cookies: CookiePolicy = CookiePolicy()) {
        self.settings = settings
        self.cookiePolicy = cookies
        let actions = ["signin", "signout"]
        self.endpoints = DialectEndpoints(
            settings.routes.flatMap { route in actions.map { DialectEndpoint($0, [.exactly(route), .ignoringCase($0)]) } }
                + actions.map { DialectEndpoint($0, [.any, .ignoringCase($0)], isUnknown: true) })
    }

    public func decode(_ request: WireRequest) -> DialectCall? {
        guard let match = endpoints.match(request.path) else { return nil }
        let route = String(request.path.split(separator: "/").first ?? "")
        guard !match.endpoint.isUnknown else {
            let message = "No HTTP resource was found that matches the request URI '\(request.path)'."
            return DialectCall(.respond(WebAPIHttpError(status: 404, message: message).response(.json)), isUnknownEndpoint: true)
        }
        guard request.method == "POST" else {
            return DialectCall(.respond(WebAPIHttpError.methodNotAllowed(request.method).response(.json)))
        }
        if match.endpoint.name == "signout" {
            // The action takes no parameters, so whatever body came along is never read.
            let presented = [Self.presentedCookie(request.headers)].compactMap { $0 }
            return DialectCall(.signOut(presented), reply: ReplyStyle(host: settings.cookieDomain ?? request.host))
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

    /// The sealed ticket of `.AspNet.ApplicationCookie` a request carries, for every door that signs
    /// out: the ASP.NET cookie is ended wherever the caller signs out.
    public static func presentedCookie(_ headers: WireHeaders) -> PresentedArtifact? {
        guard let ticket = headers.cookies[applicationCookie], !ticket.isEmpty else { return nil }
        return .applicationCookie(ticket)
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
        case .signedOut:
            // The cookie middleware's sign-out: the cookie deleted, its no-cache headers. The body is the
            // document's answer for nobody signed in.
            let expired = Self.deleted(Self.applicationCookie).applying(cookiePolicy)
            return .json(200, Self.refusedBody, headers: Self.noCacheHeaders + [("Set-Cookie", expired.headerValue)])
        case .failed(.upstreamUnavailable):
            return WebAPIHttpError.unavailable.response(.json)
        case .failed(.lockedOut(let seconds)):
            // The refusal's own body, so a client reading IsValid sees what it always saw; the status
            // and Retry-After tell one that reads HTTP to wait instead of retrying at once.
            return .json(429, Self.refusedBody, headers: Self.noCacheHeaders + [Lockout.retryAfter(seconds)])
        case .failed, .resolved, .refreshed:
            // Katana's SignInInternal answers a refused sign-in with 200 and IsValid false, and no cookie.
            return .json(200, Self.refusedBody, headers: Self.noCacheHeaders)
        }
    }

    /// The answer to a refused sign-in: nobody, no cookies, not valid.
    static let refusedBody = JSONValue.object([("UserInfo", .null), ("ResponseCookies", .array([])), ("IsValid", .bool(false))])

    /// What Katana's cookie middleware adds to every answer that sets or deletes its cookie
    /// (`CookieAuthenticationHandler.ApplyResponseGrantAsync`); the ASP.NET door sends these, not `no-store`.
    static let noCacheHeaders = [("Cache-Control", "no-cache"), ("Pragma", "no-cache"), ("Expires", "-1")]

    private func signedInResponse(_ signedIn: SignedIn, style: ReplyStyle) -> WireResponse {
        let grant = signedIn.grant
        let identity = signedIn.identity
        let ticket = signedIn.artifacts.applicationCookie ?? ""
        let domain = style.host ?? "localhost"
        let cookieExpiry = grant.persistent ? grant.expiresAt : nil
        let external = Self.deleted(Self.externalCookie).applying(cookiePolicy)
        let application = SetCookie(
            name: Self.applicationCookie, value: ticket, expires: cookieExpiry, dashedExpires: true,
            secure: settings.secureCookies, httpOnly: true).applying(cookiePolicy)

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

    /// Katana's `Response.Cookies.Delete`: `name=; path=/; expires=Thu, 01-Jan-1970 00:00:00 GMT`,
    /// empty, expired at the epoch, and neither HttpOnly nor secure (it copies only path and domain).
    static func deleted(_ name: String) -> SetCookie {
        SetCookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), dashedExpires: true, httpOnly: false)
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
