import Foundation
import GatehouseCore
import Hummingbird

/// The Web API system of seed 002: `POST api/Account/SignIn` with `grant_type` (`password`), `client_id` (an
/// e-mail address matching the document's pattern) and `client_secret`, as JSON, XML or a form. 400 for invalid
/// input, 401 for a wrong password or an e-mail without an account, else an `AuthenticationResponse` whose
/// `access_token` is a JWT, in JSON or XML by `Accept`.
public struct FakeWebAPILegacy: FakeLegacySystem {
    /// Counters and the access tokens issued.
    public let legacy = FakeLegacy()
    /// `/api/Account/SignIn`.
    public let signInPath = "/api/Account/SignIn"
    /// How long an access token lives, in seconds (`expires_in`).
    public static let tokenLifetime = 3600

    /// A new system.
    public init() {}

    /// `POST api/Account/SignIn`, without regard to case as IIS routes.
    public func router() -> Router<PeerContext> {
        let router = legacy.router(options: .caseInsensitive)
        router.post("api/Account/SignIn") { request, _ in await signIn(request) }
        return router
    }

    private func signIn(_ request: Request) async -> Response {
        let xml = (request.headers[.accept] ?? "").contains("xml")
        let fields = Self.fields(FakeRequestBody(await FakeHTTP.body(request), mediaType: FakeHTTP.mediaType(request)))
        var problems: [(String, String)] = []
        if fields["grant_type"] != "password" { problems.append(("credentials.grant_type", "grant_type must be password")) }
        let email = #/^([\w\.\-]+)@([\w\-]+)((\.(\w){2,3})+)$/#
        if (try? email.wholeMatch(in: fields["client_id"] ?? "")) == nil {
            problems.append(("credentials.client_id", "The client_id field is not a valid e-mail address."))
        }
        if (fields["client_secret"] ?? "").isEmpty { problems.append(("credentials.client_secret", "The client_secret field is required.")) }
        if !problems.isEmpty { return Self.error(400, "The request is invalid.", modelState: problems, xml: xml) }
        guard let user = legacy.check(login: fields["client_id"] ?? "", password: fields["client_secret"] ?? "") else {
            return Self.error(401, "Authorization has been denied for this request.", xml: xml)
        }
        let now = Int(Date().timeIntervalSince1970)
        // JwtSecurityTokenHandler writes one role as a string and several as an array.
        let role: JSONValue = user.roles.count == 1 ? .string(user.roles[0]) : .array(user.roles.map(JSONValue.string))
        let token = FakeTokens.jwtLooking(.object([
            ("unique_name", .string(user.userName)), ("email", .string(user.email)), ("role", role),
            ("iss", .string("legacy-webapi")), ("aud", .string("legacy-webapi")),
            ("exp", .int(now + Self.tokenLifetime)), ("nbf", .int(now)),
        ]))
        legacy.openSession(for: user, tokens: [token])
        if xml {
            let body = #"<AuthenticationResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models">"#
                + #"<ApiKeyHolder i:nil="true"/>"# + "<access_token>\(token)</access_token><expires_in>\(Self.tokenLifetime)</expires_in>"
                + "<token_type>bearer</token_type></AuthenticationResponse>"
            return FakeHTTP.answer(200, Array(body.utf8), contentType: "application/xml; charset=utf-8")
        }
        return FakeHTTP.json(200, .object([
            ("token_type", .string("bearer")), ("access_token", .string(token)), ("expires_in", .int(Self.tokenLifetime)),
            ("ClassVer", .int(1)), ("WebApiVersion", .object([("Major", .int(1)), ("Minor", .int(3)), ("Build", .int(0))])),
            ("ApiKeyHolder", .null),
        ]))
    }

    /// The three members, whatever the request format.
    private static func fields(_ body: FakeRequestBody) -> [String: String] {
        var out: [String: String] = [:]
        for name in ["grant_type", "client_id", "client_secret"] { out[name] = body.value(name) }
        return out
    }

    /// Web API's `HttpError`: `Message`, and `ModelState` for invalid input.
    private static func error(_ status: Int, _ message: String, modelState: [(String, String)] = [], xml: Bool) -> Response {
        let headers = status == 401 ? [("WWW-Authenticate", "Bearer")] : []
        if xml {
            let state = modelState.isEmpty ? "" : "<ModelState>" + modelState.map { "<\($0.0)>\($0.1)</\($0.0)>" }.joined() + "</ModelState>"
            return FakeHTTP.answer(status, Array("<Error><Message>\(message)</Message>\(state)</Error>".utf8),
                                   contentType: "application/xml; charset=utf-8", headers: headers)
        }
        var members: [(String, JSONValue)] = [("Message", .string(message))]
        if !modelState.isEmpty { members.append(("ModelState", .object(modelState.map { ($0.0, .array([.string($0.1)])) }))) }
        return FakeHTTP.json(status, .object(members), headers: headers)
    }
}
