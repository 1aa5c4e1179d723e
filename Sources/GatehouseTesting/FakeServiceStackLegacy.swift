import Foundation
import GatehouseCore
import Hummingbird

/// The ServiceStack `Authenticate` service of seed 004: `GET`/`POST /auth` and `/auth/{provider}`.
/// `credentials` signs in with `UserName`/`Password` (JSON in any casing, a form or the query string) and
/// answers an `AuthenticateResponse` with a `BearerToken`, plus `ss-id`/`ss-pid`/`ss-opt` cookies; `logout`
/// ends the session; `/auth` with no credentials answers the caller's own session (by bearer token, `ss-id`
/// cookie or `X-ss-id` header), or 401 "Not Authenticated".
public struct FakeServiceStackLegacy: FakeLegacySystem {
    /// Counters and the sessions issued.
    public let legacy = FakeLegacy()
    /// `/auth/credentials`.
    public let signInPath = "/auth/credentials"
    /// Bytes of filler in the `Meta` of every answer to a sign-in (0: no `Meta`), to try answer size limits
    /// with an answer that is otherwise good.
    public let answerPadding: Int

    /// A new system.
    public init(answerPadding: Int = 0) {
        self.answerPadding = answerPadding
    }

    /// The two documented routes, each for `GET` and `POST`; ServiceStack routes ignore case.
    public func router() -> Router<PeerContext> {
        let router = legacy.router(options: .caseInsensitive)
        router.get("auth") { request, _ in await authenticate(request, provider: nil) }
        router.post("auth") { request, _ in await authenticate(request, provider: nil) }
        router.get("auth/:provider") { request, context in await authenticate(request, provider: context.parameters.get("provider")) }
        router.post("auth/:provider") { request, context in await authenticate(request, provider: context.parameters.get("provider")) }
        return router
    }

    private func authenticate(_ request: Request, provider: String?) async -> Response {
        var fields = FakeRequestBody(await FakeHTTP.body(request), mediaType: FakeHTTP.mediaType(request))
        fields.append(FakeHTTP.form(request.uri.query ?? ""))
        switch (provider ?? fields.value("provider") ?? "").lowercased() {
        case "logout":
            if let token = sessionToken(request) { legacy.closeSession(token) }
            return FakeHTTP.json(200, .object([]), headers: ["ss-id", "ss-pid", "ss-opt"].map {
                ("Set-Cookie", "\($0)=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; samesite=lax; httponly")
            })
        case "" where fields.value("UserName") == nil && fields.value("Password") == nil:
            guard let token = sessionToken(request), let session = legacy.session(token) else {
                return Self.error(401, code: "Unauthorized", message: "Not Authenticated")
            }
            return FakeHTTP.json(200, response(session.user, sessionID: session.tokens[0], bearer: nil, refresh: nil))
        case "", "credentials":
            return signIn(fields)
        case let other:
            return Self.error(404, code: "NotFound", message: "No configuration was added for OAuth provider '\(other)'")
        }
    }

    private func signIn(_ fields: FakeRequestBody) -> Response {
        let missing = ["UserName": "User Name", "Password": "Password"].sorted { $0.key > $1.key }
            .filter { (fields.value($0.key) ?? "").isEmpty }
        if let first = missing.first {
            let errors = missing.map { JSONValue.object([
                ("ErrorCode", .string("NotEmpty")), ("FieldName", .string($0.key)), ("Message", .string("'\($0.value)' must not be empty.")),
            ]) }
            return Self.error(400, code: "NotEmpty", message: "'\(first.value)' must not be empty.", errors: errors)
        }
        guard let user = legacy.check(login: fields.value("UserName") ?? "", password: fields.value("Password") ?? "") else {
            return Self.error(401, code: "Unauthorized", message: "Invalid UserName or Password")
        }
        let remember = fields.value("RememberMe")?.lowercased() == "true"
        let sessionID = FakeTokens.alphanumeric(20)
        let permanentID = FakeTokens.alphanumeric(20)
        let now = Int(Date().timeIntervalSince1970)
        let bearer = FakeTokens.jwtLooking(.object([
            ("sub", .string(String(user.id))), ("iat", .int(now)), ("exp", .int(now + 14 * 24 * 3600)),
            ("name", .string(user.userName)), ("roles", .array(user.roles.map(JSONValue.string))), ("perms", .array([])),
        ]))
        let refresh = FakeTokens.jwtLooking(.object([("sub", .string(String(user.id))), ("iat", .int(now)), ("typ", .string("refresh"))]))
        legacy.openSession(for: user, tokens: [sessionID, bearer])
        let longLived = "expires=\(Self.cookieDate(Date().addingTimeInterval(20 * 365 * 24 * 3600))); "
        return FakeHTTP.json(200, response(user, sessionID: sessionID, bearer: bearer, refresh: refresh), headers: [
            ("Set-Cookie", "ss-id=\(sessionID); path=/; samesite=lax; httponly"),
            ("Set-Cookie", "ss-pid=\(permanentID); \(longLived)path=/; samesite=lax; httponly"),
            ("Set-Cookie", "ss-opt=\(remember ? "perm" : "temp"); \(longLived)path=/; samesite=lax; httponly"),
        ])
    }

    /// The session a request names: bearer token, `ss-id` cookie or `X-ss-id` header, in that order.
    private func sessionToken(_ request: Request) -> String? {
        FakeHTTP.bearer(request) ?? request.cookies["ss-id"]?.value
            ?? request.headers.first(where: { $0.name.canonicalName == "x-ss-id" })?.value
    }

    /// An `AuthenticateResponse` in the DTO's member order; ServiceStack leaves out members that are null.
    private func response(_ user: FakeUser, sessionID: String, bearer: String?, refresh: String?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("UserId", .string(String(user.id))), ("SessionId", .string(sessionID)),
            ("UserName", .string(user.userName)), ("DisplayName", .string(user.displayName)),
        ]
        if let bearer { members.append(("BearerToken", .string(bearer))) }
        if let refresh { members.append(("RefreshToken", .string(refresh))) }
        members += [("Roles", .array(user.roles.map(JSONValue.string))), ("Permissions", .array([]))]
        if answerPadding > 0 { members.append(("Meta", .object([("padding", .string(String(repeating: "x", count: answerPadding)))]))) }
        return .object(members)
    }

    /// `{"ResponseStatus":{"ErrorCode":…,"Message":…,"Errors":[…]}}`.
    private static func error(_ status: Int, code: String, message: String, errors: [JSONValue] = []) -> Response {
        var responseStatus: [(String, JSONValue)] = [("ErrorCode", .string(code)), ("Message", .string(message))]
        if !errors.isEmpty { responseStatus.append(("Errors", .array(errors))) }
        return FakeHTTP.json(status, .object([("ResponseStatus", .object(responseStatus))]))
    }

    /// A cookie `expires` date, `Tue, 23 Nov 2046 17:00:00 GMT`.
    private static func cookieDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
