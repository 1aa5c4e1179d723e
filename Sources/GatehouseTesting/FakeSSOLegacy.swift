import GatehouseCore
import Hummingbird

/// The SSO system of seed 001: `POST /api/v2/sso/signin/` with `Authorization: Bearer <access token>` answers
/// `{id, ext_id, username, role, tags}` for a token it issued. The document marks the operation "requires
/// authentication" and shows no error body; a missing or unknown token gets 401 with a `detail`, as the
/// REST framework such documents are generated from answers.
public struct FakeSSOLegacy: FakeLegacySystem {
    /// Counters.
    public let legacy = FakeLegacy()
    /// The document's path, trailing slash included.
    public let signInPath = "/api/v2/sso/signin/"

    /// The access tokens this system issued, by user: `sso-token-admin`, `sso-token-editor`.
    public static let tokens = Dictionary(uniqueKeysWithValues: FakeUser.all.map { (token(for: $0), $0) })

    /// The access token the system issued to `user`.
    public static func token(for user: FakeUser) -> String { "sso-token-\(user.userName.lowercased())" }

    /// A new system.
    public init() {}

    /// `POST /api/v2/sso/signin/` (the trailing slash is optional on the wire).
    public func router() -> Router<PeerContext> {
        let router = legacy.router()
        router.post("api/v2/sso/signin") { request, _ in signIn(request) }
        return router
    }

    private func signIn(_ request: Request) -> Response {
        guard let token = FakeHTTP.bearer(request) else {
            return Self.unauthorized("Authentication credentials were not provided.")
        }
        guard let user = Self.tokens[token] else { return Self.unauthorized("Invalid token.") }
        let documented = ["admin", "moderator", "editor"]
        let role = user.roles.first { documented.contains($0) }
        return FakeHTTP.json(200, .object([
            ("id", .int(user.id)),
            ("ext_id", user.externalID.map(JSONValue.int) ?? .null),
            ("username", .string(user.userName)),
            ("role", role.map(JSONValue.string) ?? .null),
            ("tags", .array(user.tags.map(JSONValue.int))),
        ]), contentType: "application/json")
    }

    private static func unauthorized(_ detail: String) -> Response {
        FakeHTTP.json(401, .object([("detail", .string(detail))]), contentType: "application/json",
                      headers: [("WWW-Authenticate", #"Bearer realm="api""#)])
    }
}
