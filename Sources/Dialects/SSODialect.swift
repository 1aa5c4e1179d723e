import GatehouseCore

/// `POST /api/v2/sso/signin/` with `Authorization: Bearer <access token>` (seed 001): answers who the token
/// belongs to as `{id, ext_id, username, role, tags}`. Any artifact Gatehouse issued is a valid access token here.
public struct SSODialect: Dialect {
    public let id = DialectID.sso
    public let artifactKinds: Set<ArtifactKind> = []
    let settings: SSOSettings

    /// The roles the document allows in `role`, strongest first.
    static let documentedRoles = ["admin", "moderator", "editor"]

    /// `settings.path`, in any case.
    public let endpoints: DialectEndpoints

    public init(settings: SSOSettings) {
        self.settings = settings
        self.endpoints = DialectEndpoints([DialectEndpoint("signin", DialectEndpoint.segments(of: settings.path, caseSensitive: false))])
    }

    public func decode(_ request: WireRequest) -> DialectCall? {
        guard endpoints.match(request.path) != nil else { return nil }
        guard request.method == "POST" else {
            let body = JSONValue.object([("detail", .string("Method \"\(request.method)\" not allowed."))])
            return DialectCall(.respond(.json(405, body, headers: [("Allow", "POST, OPTIONS")])))
        }
        guard let token = request.headers.bearerToken else {
            return DialectCall(.respond(Self.unauthorized("Authentication credentials were not provided.")))
        }
        return DialectCall(.resolve(.bearer(token)))
    }

    public func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse {
        switch result {
        case .resolved(let grant, _):
            return .json(200, Self.user(grant.identity))
        case .signedIn(let signedIn):
            return .json(200, Self.user(signedIn.identity))
        case .failed(.upstreamUnavailable):
            return .json(503, .object([("detail", .string("Service temporarily unavailable, try again later."))]))
        case .failed(.lockedOut(let seconds)):
            // The `detail` errors are Django REST framework's; this is its `Throttled` answer, word for word.
            let wait = max(0, seconds)
            let detail = "Request was throttled. Expected available in \(wait) second\(wait == 1 ? "" : "s")."
            return .json(429, .object([("detail", .string(detail))]), headers: [Lockout.retryAfter(seconds)])
        case .failed, .signedOut, .refreshed:
            return Self.unauthorized("Invalid token.")
        }
    }

    /// The document's response schema: `id` integer, `ext_id` integer or null, `role` one of the documented
    /// roles or null, `tags` integers.
    static func user(_ identity: Identity) -> JSONValue {
        let names = Set(identity.roles.map(\.name))
        let role = documentedRoles.first { names.contains($0) }
        return .object([
            ("id", .int(identity.numericID ?? 0)),
            ("ext_id", identity.externalID.map(JSONValue.int) ?? .null),
            ("username", .string(identity.userName)),
            ("role", role.map(JSONValue.string) ?? .null),
            ("tags", .array(identity.tags.map(JSONValue.int))),
        ])
    }

    /// 401 as RFC 6750 §3.1 asks for a missing or bad bearer token.
    static func unauthorized(_ detail: String) -> WireResponse {
        .json(401, .object([("detail", .string(detail))]),
              headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
    }
}
