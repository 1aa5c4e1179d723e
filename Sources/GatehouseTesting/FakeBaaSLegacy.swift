import GatehouseCore
import Hummingbird

/// The BaaS system of seed 003, served under `/v2`: `POST /v2/auth/signin` with `username` and `password` and
/// the app's `X-Api-Key` answers the user object; "every time you sign in, you get a new session token", sent
/// as `sessionToken` beside the user object's members. Signing out (`/v2/auth/signout` with
/// `Authorization: Bearer <session token>`) "invalidates your session token".
///
/// The document shows no error body; errors are a JSON array of `{code, message}`.
public struct FakeBaaSLegacy: FakeLegacySystem {
    /// Counters and the session tokens issued.
    public let legacy = FakeLegacy()
    /// `/v2/auth/signin`.
    public let signInPath = "/v2/auth/signin"
    /// The app key the system admits; `nil` admits any non-empty key.
    public let apiKey: String?

    /// A new system admitting `apiKey` (any app when `nil`).
    public init(apiKey: String? = nil) {
        self.apiKey = apiKey
    }

    /// `POST /v2/auth/signin`; `GET`, `POST` or `DELETE /v2/auth/signout`.
    public func router() -> Router<PeerContext> {
        let router = legacy.router()
        router.post("v2/auth/signin") { request, _ in await signIn(request) }
        router.get("v2/auth/signout") { request, _ in signOut(request) }
        router.post("v2/auth/signout") { request, _ in signOut(request) }
        router.delete("v2/auth/signout") { request, _ in signOut(request) }
        return router
    }

    private func signIn(_ request: Request) async -> Response {
        if let refusal = checkApp(request) { return refusal }
        let body = JSONValue.parse(await FakeHTTP.body(request))
        guard let login = body?["username"]?.stringValue, let password = body?["password"]?.stringValue else {
            return Self.error(400, "username and password are required")
        }
        guard let user = legacy.check(login: login, password: password) else {
            return Self.error(401, "Invalid username or password")
        }
        let token = FakeTokens.uuid()
        legacy.openSession(for: user, tokens: [token])
        return FakeHTTP.json(200, .object([
            ("email", .object([("primary", .string(user.email)), ("secondary", .null), ("work", .null), ("other", .null)])),
            ("name", .object([
                ("prefix", .null), ("firstName", .null), ("middleName", .null), ("lastName", .null), ("maidenName", .null), ("suffix", .null),
            ])),
            ("extras", .object([])),
            ("usersId", .string(user.uuid)),
            ("active", .bool(true)),
            ("createdAt", .string("2013-11-07T12:00:00Z")),
            ("updatedAt", .string("2013-11-07T12:00:00Z")),
            ("sessionToken", .string(token)),
        ]), contentType: "application/json")
    }

    private func signOut(_ request: Request) -> Response {
        if let refusal = checkApp(request) { return refusal }
        guard let token = FakeHTTP.bearer(request), legacy.closeSession(token) else {
            return Self.error(401, "Invalid session token")
        }
        return FakeHTTP.json(200, .object([]), contentType: "application/json")
    }

    /// Every call names its app first.
    private func checkApp(_ request: Request) -> Response? {
        guard let key = request.headers.first(where: { $0.name.canonicalName == "x-api-key" })?.value, !key.isEmpty else {
            return Self.error(401, "Missing X-Api-Key header")
        }
        if let apiKey, key != apiKey { return Self.error(401, "Invalid API key") }
        return nil
    }

    private static func error(_ status: Int, _ message: String) -> Response {
        FakeHTTP.json(status, .array([.object([("code", .int(status)), ("message", .string(message))])]), contentType: "application/json")
    }
}
