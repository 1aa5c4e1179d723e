import GatehouseCore

/// The ASP.NET Web API sign-in of seed 002: `POST api/Account/SignIn` with `ClientCredentials`
/// (`grant_type=password`, `client_id` an e-mail address, `client_secret`) as JSON, XML or a
/// form, answered with an `AuthenticationResponse` carrying a JWT, in JSON or XML by `Accept`.
///
/// ```swift
/// let dialect = WebAPIDialect(settings: config.dialects.webapi)
/// let call = dialect.decode(request)   // .signIn(.password(login: "ann@example.com", …))
/// ```
public struct WebAPIDialect: Dialect {
    /// `.webapi`.
    public let id = DialectID.webapi
    /// A sign-in here is answered with a signed access token (JWT).
    public let artifactKinds: Set<ArtifactKind> = [.accessToken]
    private let settings: WebAPISettings
    /// `settings.path`, in any case: IIS and ASP.NET routing match paths without regard to case.
    public let endpoints: DialectEndpoints

    /// A dialect answering at `settings.path`, with the response's constants from `settings`.
    public init(settings: WebAPISettings) {
        self.settings = settings
        endpoints = DialectEndpoints([DialectEndpoint("signin", DialectEndpoint.segments(of: settings.path, caseSensitive: false))])
    }

    /// `nil` for any other path; otherwise a sign-in, or a ready answer for a refused request.
    public func decode(_ request: WireRequest) -> DialectCall? {
        guard endpoints.match(request.path) != nil else { return nil }
        let reply = ReplyStyle(format: WebAPINegotiation.format(accept: request.headers.values("Accept")))
        switch signInRequest(request) {
        case .success(let signIn): return DialectCall(.signIn(signIn), reply: reply)
        case .failure(let error): return DialectCall(.respond(error.response(reply.format)), reply: reply)
        }
    }

    /// Checks in the order Web API's pipeline does: route and method, then the body's size and
    /// media type, then binding, then validation.
    private func signInRequest(_ request: WireRequest) -> Result<SignInRequest, WebAPIHttpError> {
        guard request.method == "POST" else { return .failure(.methodNotAllowed(request.method)) }
        if request.bodyTooLarge { return .failure(.tooLarge) }
        // An empty body binds to a null model without consulting any formatter.
        if request.body.isEmpty { return .failure(.invalidBody("The credentials field is required.")) }
        // Without a Content-Type, HttpContent reports application/octet-stream, which no formatter reads.
        let media = request.headers.mediaType ?? "application/octet-stream"
        guard let format = WebAPIClientCredentials.bodyFormat(media) else { return .failure(.unsupportedMediaType(media)) }
        return WebAPIClientCredentials.read(request.body, as: format)
            .flatMap { $0.validated() }
            .map { valid in
                SignInRequest(
                    credential: .password(login: valid.login, secret: valid.secret), remember: false, dialect: .webapi,
                    client: request.clientContext)
            }
    }

    /// The `AuthenticationResponse`, or the `HttpError` for a failure, in the negotiated format.
    public func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse {
        if case .respond(let response) = call.action { return response }
        switch result {
        case .signedIn(let signedIn):
            // The server mints the token for `artifactKinds`; without one there is nothing to hand out.
            guard let token = signedIn.artifacts.accessToken else { return WebAPIHttpError.unavailable.response(call.reply.format) }
            return success(token: token, lifetime: signedIn.artifacts.accessTokenLifetime, format: call.reply.format)
        case .failed(.upstreamUnavailable):
            return WebAPIHttpError.unavailable.response(call.reply.format)
        case .failed(.lockedOut(let seconds)):
            return WebAPIHttpError.lockedOut(seconds).response(call.reply.format)
        case .failed(.invalidCredentials), .resolved, .signedOut, .refreshed:
            return WebAPIHttpError.denied.response(call.reply.format)
        }
    }

    private func success(token: String, lifetime: Int?, format: ReplyStyle.Format) -> WireResponse {
        let expiresIn = lifetime ?? settings.tokenLifetimeSeconds
        let version = settings.version
        let (major, minor, build) = (
            version.first ?? 1, version.count > 1 ? version[1] : 3, version.count > 2 ? version[2] : 0
        )
        // RFC 6749 §5.1: a response carrying a token has `Cache-Control: no-store` and `Pragma: no-cache`.
        let noCache = [WireResponse.noStore, ("Pragma", "no-cache")]
        switch format {
        case .xml:
            let body = WebAPIXML.authenticationResponse(
                accessToken: token, expiresIn: expiresIn, classVersion: settings.classVersion,
                version: (major, minor, build), apiKeyHolder: settings.apiKeyHolder)
            return WireResponse(
                status: 200, headers: WireHeaders([("Content-Type", WebAPIXML.contentType)] + noCache), body: Array(body.utf8))
        case .json, .jsonp:
            // Member order as seed 002's JSON sample.
            let body = JSONValue.object([
                ("token_type", .string("bearer")),
                ("access_token", .string(token)),
                ("expires_in", .int(expiresIn)),
                ("ClassVer", .int(settings.classVersion)),
                ("WebApiVersion", .object([("Major", .int(major)), ("Minor", .int(minor)), ("Build", .int(build))])),
                ("ApiKeyHolder", settings.apiKeyHolder.map(JSONValue.string) ?? .null),
            ])
            return .json(200, body, headers: noCache)
        }
    }
}
