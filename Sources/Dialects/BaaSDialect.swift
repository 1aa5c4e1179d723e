import GatehouseCore

/// The BaaS sign-in of seed 003, served under `/v2/auth`: `POST signin` with `username` and
/// `password` answers the user object plus a new opaque `sessionToken`; `signout` revokes a
/// token; `verify` answers 200 for a live one. Every call carries the app's `X-Api-Key`.
///
/// ```swift
/// let dialect = BaaSDialect(settings: config.dialects.baas)
/// let call = dialect.decode(request)   // .signIn(.password(login: "ann", …)) with client.apiKey
/// ```
public struct BaaSDialect: Dialect {
    /// `.baas`.
    public let id = DialectID.baas
    /// A sign-in here is answered with an opaque session token.
    public let artifactKinds: Set<ArtifactKind> = [.sessionToken]
    private let settings: BaaSSettings
    /// `signin`, `signout` and `verify` under `settings.pathPrefix`.
    public let endpoints: DialectEndpoints

    /// A dialect answering under `settings.pathPrefix`, admitting the apps in `settings.apiKeys`.
    public init(settings: BaaSSettings) {
        self.settings = settings
        // The platform's paths are case-sensitive; a trailing slash is tolerated.
        let prefix = DialectEndpoint.segments(of: settings.pathPrefix, caseSensitive: true)
        self.endpoints = DialectEndpoints(["signin", "signout", "verify"].map { DialectEndpoint($0, prefix + [.exactly($0)]) })
    }

    /// The three endpoints and the methods each one accepts (the SDKs call `signout` with GET).
    private enum Endpoint: String {
        case signin, signout, verify

        var methods: [String] {
            switch self {
            case .signin: ["POST"]
            case .signout: ["GET", "POST", "DELETE"]
            case .verify: ["GET"]
            }
        }
    }

    /// `nil` for any path but the three endpoints; otherwise what the caller asks for, or a
    /// ready error answer.
    public func decode(_ request: WireRequest) -> DialectCall? {
        guard let name = endpoints.match(request.path)?.endpoint.name, let endpoint = Endpoint(rawValue: name) else { return nil }
        switch call(endpoint, request) {
        case .success(let action): return DialectCall(action)
        case .failure(let error): return DialectCall(.respond(error.response))
        }
    }

    private func call(_ endpoint: Endpoint, _ request: WireRequest) -> Result<DialectAction, BaaSError> {
        guard endpoint.methods.contains(request.method) else { return .failure(.methodNotAllowed(allow: endpoint.methods)) }
        // The app is identified before anything else, on every endpoint.
        guard let apiKey = request.headers["X-Api-Key"], !apiKey.isEmpty else { return .failure(.missingAPIKey) }
        // Keys name the calling app (`browser api.example <id>`); they are public, not secrets,
        // so a plain comparison is enough.
        guard apiKey.split(separator: " ", omittingEmptySubsequences: false).count == 3, settings.apiKeys.contains(apiKey)
        else { return .failure(.invalidAPIKey) }
        switch endpoint {
        case .signin:
            return signIn(request, apiKey: apiKey).map(DialectAction.signIn)
        case .signout:
            // The ASP.NET cookie a browser holds beside the session token is signed out too.
            let presented = [request.headers.bearerToken.map(PresentedArtifact.bearer), AspNetDialect.presentedCookie(request.headers)]
                .compactMap { $0 }
            guard !presented.isEmpty else { return .failure(.missingSession) }
            return .success(.signOut(presented))
        case .verify:
            guard let token = request.headers.bearerToken else { return .failure(.missingSession) }
            return .success(.resolve(.bearer(token)))
        }
    }

    /// Reads `username` and `password`; other members (the SDK samples send a whole user object)
    /// and an `Authorization` header sent along are ignored.
    private func signIn(_ request: WireRequest, apiKey: String) -> Result<SignInRequest, BaaSError> {
        if request.bodyTooLarge { return .failure(.tooLarge) }
        guard request.headers.mediaType == "application/json" else { return .failure(.unsupportedMediaType) }
        guard let body = JSONValue.parse(request.body), case .object = body else { return .failure(.notAnObject) }
        var problems: [String] = []
        func field(_ name: String) -> String? {
            switch body[name] {
            case .string(let text)? where !text.isEmpty: return text
            case nil, .null?, .string?: problems.append("\(name) is required")
            default: problems.append("\(name) must be a string")
            }
            return nil
        }
        let username = field("username")
        let password = field("password")
        guard problems.isEmpty, let username, let password else { return .failure(BaaSError(400, problems)) }
        var client = request.clientContext
        client.apiKey = apiKey
        return .success(SignInRequest(
            credential: .password(login: username, secret: password), remember: false, dialect: .baas, client: client))
    }

    /// The user object (with `sessionToken` after a sign-in), `{}` after a sign-out, or the
    /// platform's error array.
    public func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse {
        switch (call.action, result) {
        case (.respond(let response), _):
            return response
        case (_, .failed(.upstreamUnavailable)):
            return BaaSError.unavailable.response
        case (.signIn, .failed(.lockedOut(let seconds))):
            return BaaSError(429, Lockout.message(seconds), headers: [Lockout.retryAfter(seconds)]).response
        case (.signIn, .signedIn(let signedIn)):
            // The server mints the token for `artifactKinds`; without one there is nothing to hand out.
            guard let token = signedIn.artifacts.sessionToken else { return BaaSError.unavailable.response }
            return .json(200, BaaSUserObject.json(signedIn.identity, sessionToken: token), headers: [WireResponse.noStore])
        case (.signIn, _):
            // Unknown user, wrong password or inactive account: the caller is told nothing more.
            return BaaSError.invalidLogin.response
        case (.resolve, .resolved(let grant, _)):
            return .json(200, BaaSUserObject.json(grant.identity))
        case (.signOut, .signedOut):
            return .json(200, .object([]))
        case (.resolve, _), (.signOut, _), (.refresh, _):
            return BaaSError.invalidSession.response
        }
    }
}
