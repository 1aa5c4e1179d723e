import Foundation
import GatehouseCore

/// ServiceStack's `Authenticate` service, as ServiceStack's own C#, TypeScript and Python clients
/// call it (seed 004).
///
/// - `GET`/`POST /auth`, `/auth/{provider}` (either with a `.json` suffix), `/json/reply/Authenticate`
///   and `/api/Authenticate`: provider `credentials` (the default; `login` is its alias) signs in,
///   `logout` signs out, and a `GET` without a password returns the caller's live session.
/// - `/access-token`, `/json/reply/GetAccessToken`, `/api/GetAccessToken`: a `RefreshToken` (or
///   the `ss-reftok` cookie) for a new `AccessToken`.
///
/// Requests are JSON (PascalCase or camelCase), `application/x-www-form-urlencoded` or a query
/// string; answers are JSON in the caller's casing (`ServiceStackTextCase`), or JSONP with
/// `?callback=`. Every error is a `ResponseStatus` body. Only JSON is spoken: `?format=`, a
/// `.json` suffix and `Accept` never select another format.
///
/// ```swift
/// let dialect = ServiceStackDialect(settings: config.dialects.servicestack)
/// let call = dialect.decode(WireRequest(method: "POST", target: "/auth/credentials", headers: h, body: b))
/// ```
public struct ServiceStackDialect: Dialect {
    /// Always `.servicestack`.
    public let id: DialectID = .servicestack
    /// A sign-in mints a ServiceStack session: `ss-id`/`ss-pid` plus bearer and refresh JWTs.
    public let artifactKinds: Set<ArtifactKind> = [.serviceStackSession]
    /// Casing, token cookies and token lifetimes from `gateway.json`.
    public let settings: ServiceStackSettings
    /// The server's cookie attributes, on top of ServiceStack's own.
    public let cookiePolicy: CookiePolicy

    /// A dialect answering as `settings` say.
    /// The paths of `ServiceStackRoute`.
    public var endpoints: DialectEndpoints { ServiceStackRoute.endpoints }

    public init(settings: ServiceStackSettings, cookies: CookiePolicy = CookiePolicy()) {
        self.settings = settings
        self.cookiePolicy = cookies
    }

    /// The call a ServiceStack request asks for; `nil` for any path ServiceStack does not serve.
    /// Malformed requests come back as `.respond` with their exact ServiceStack error.
    public func decode(_ request: WireRequest) -> DialectCall? {
        guard let match = ServiceStackRoute.endpoints.match(request.path) else { return nil }
        let route = ServiceStackRoute(match)
        // A GET's request DTO is its query string; ServiceStack never reads a GET body.
        let body = request.method == "GET" ? ServiceStackBody.fields([]) : ServiceStackBody(request)
        let style = ReplyStyle(
            format: Self.format(of: request),
            camelCase: ServiceStackTextCase.camelCase(
                setting: settings.textCase, jsconfig: request.queryValue("jsconfig"),
                memberNames: body.names + request.query.map(\.name)))
        let reply = ServiceStackReply(style)
        if case .authenticate = route, request.method != "GET", request.method != "POST" {
            let verb = request.method.prefix(1) + request.method.dropFirst().lowercased()
            let message = "Could not find method named \(verb)(Authenticate) or Any(Authenticate) on Service \(route.serviceName)"
            return Self.refuse(reply.error(405, code: "NotImplementedException", message: message, headers: [("Allow", "GET, POST")]), style)
        }
        if request.bodyTooLarge {
            return Self.refuse(reply.error(413, code: "RequestEntityTooLarge", message: "Request body is too large"), style)
        }
        let fields: [ServiceStackFieldValue.Named]
        switch body {
        case .unsupported(let mediaType):
            let message = "Content-Type '\(mediaType)' is not supported"
            return Self.refuse(reply.error(415, code: "NotSupportedException", message: message), style)
        case .malformed(let mediaType):
            let message = "Could not deserialize '\(mediaType)' request using \(route.requestName)"
            return Self.refuse(reply.error(400, code: "SerializationException", message: message), style)
        case .fields(let bound):
            fields = bound
        }
        var binder = ServiceStackBinder(query: request.query, body: fields)
        switch route {
        case .authenticate(let provider):
            return authenticate(request, pathProvider: provider, binder: &binder, style: style)
        case .accessToken:
            return accessToken(request, binder: &binder, style: style)
        }
    }

    private func authenticate(
        _ request: WireRequest, pathProvider: String?, binder: inout ServiceStackBinder, style: ReplyStyle
    ) -> DialectCall {
        let dto = ServiceStackAuthenticate(&binder, pathProvider: pathProvider)
        var style = style
        style.remember = dto.rememberMe ?? Self.asksForPermanentSession(request)
        style.useTokenCookie = dto.useTokenCookie ?? settings.useTokenCookie
        let reply = ServiceStackReply(style)
        guard binder.errors.isEmpty else { return Self.refuse(reply.binding(binder.errors, request: "Authenticate"), style) }
        let provider = nonEmpty(dto.provider) ?? "credentials"
        switch provider.lowercased() {
        case "logout":
            // Every session the caller holds, and the ASP.NET cookie beside them: one click signs out of every door.
            return DialectCall(.signOut(PresentedArtifacts.find(in: request.headers.pairs)), reply: style)
        case "credentials", "login":
            break
        default:
            let message = "No configuration was added for OAuth provider '\(provider)'"
            return Self.refuse(reply.error(404, code: "NotFound", message: message), style)
        }
        if request.method == "GET" {
            // Current ServiceStack refuses sign-ins by GET: a password in a URL ends up in
            // browser history and access logs.
            if nonEmpty(dto.password) != nil {
                let message = "GET Authenticate requests are disabled, to enable set AuthFeature.AllowGetAuthenticateRequests = req => true"
                return Self.refuse(reply.error(405, code: "NotSupportedException", message: message), style)
            }
            return DialectCall(.resolve(Self.presentedSessions(request).first), reply: style)
        }
        let errors = dto.credentialErrors
        guard errors.isEmpty, let userName = dto.userName, let password = dto.password else {
            return Self.refuse(reply.validation(errors), style)
        }
        let client = ClientContext(
            address: request.remoteAddress, userAgent: request.headers["User-Agent"],
            returnURL: nonEmpty(dto.returnURL), meta: dto.meta)
        let signIn = SignInRequest(
            credential: .password(login: userName, secret: password), remember: style.remember,
            dialect: .servicestack, provider: "credentials", client: client)
        return DialectCall(.signIn(signIn), reply: style)
    }

    private func accessToken(_ request: WireRequest, binder: inout ServiceStackBinder, style: ReplyStyle) -> DialectCall {
        let dto = ServiceStackGetAccessToken(&binder)
        var style = style
        style.useTokenCookie = dto.useTokenCookie ?? settings.useTokenCookie
        let reply = ServiceStackReply(style)
        guard binder.errors.isEmpty else { return Self.refuse(reply.binding(binder.errors, request: "GetAccessToken"), style) }
        // ServiceStack falls back on the `ss-reftok` cookie, so browsers using token cookies need
        // never see the refresh token.
        guard let token = dto.refreshToken ?? nonEmpty(request.headers.cookies["ss-reftok"]) else {
            return Self.refuse(reply.validation([.notEmpty("RefreshToken", label: "Refresh Token")]), style)
        }
        return DialectCall(.refresh(token), reply: style)
    }

    /// The sessions a request presents, in `PresentedArtifacts`' order (the first is the session).
    /// With `ss-opt=perm` ServiceStack keys the session by `ss-pid`; a permanent grant answers to
    /// both ids, a temporary one to `ss-id` only, so either may be presented. The ASP.NET cookie is
    /// signed out with the rest, but is not a ServiceStack session for `GET /auth`.
    static func presentedSessions(_ request: WireRequest) -> [PresentedArtifact] {
        PresentedArtifacts.find(in: request.headers.pairs).filter { artifact in
            if case .applicationCookie = artifact { false } else { true }
        }
    }

    /// A sign-in without `RememberMe` is permanent when the client already holds `ss-opt=perm` (or
    /// sends `X-ss-opt`), as ServiceStack reads its session options; `RememberMe` overrides either.
    static func asksForPermanentSession(_ request: WireRequest) -> Bool {
        let options = request.headers.cookies["ss-opt"] ?? request.headers["X-ss-opt"] ?? ""
        return options.split(separator: ",").contains { $0.trimmingWhitespace() == "perm" }
    }

    /// JSONP for a well-formed `?callback=` name; otherwise JSON (a bad name is ignored rather
    /// than echoed into a script).
    static func format(of request: WireRequest) -> ReplyStyle.Format {
        guard let callback = request.queryValue("callback"), !callback.isEmpty,
            callback.utf8.allSatisfy(isCallbackByte)
        else { return .json }
        return .jsonp(callback: callback)
    }

    private static func isCallbackByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "$"):
            true
        default:
            false
        }
    }

    private static func refuse(_ response: WireResponse, _ style: ReplyStyle) -> DialectCall {
        DialectCall(.respond(response), reply: style)
    }
}

/// `value` unless it is absent or empty.
private func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}
