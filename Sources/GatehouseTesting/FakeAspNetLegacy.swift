import Foundation
import GatehouseCore
import Hummingbird

/// The ASP.NET Identity "SignInInternal" system of seed 000: `POST /{route}/SignIn` (any route, any case:
/// the document itself calls `/1/signin`) with `UserName`, `Password`, `Remember`; a good login answers
/// `UserInfo`, `ResponseCookies` and `IsValid: true` plus the Katana cookies, a refused one `IsValid: false`.
public struct FakeAspNetLegacy: FakeLegacySystem {
    /// Counters and the application cookies issued.
    public let legacy = FakeLegacy()
    /// `/{route}/SignIn`: Gatehouse puts the caller's cluster route in.
    public let signInPath = "/{route}/SignIn"

    /// Role ids as the Identity database keys them; admin's is the one the document shows.
    static let roleIDs = ["admin": "7fce52a4-5fba-452d-be64-0a6f7c510a0b", "editor": "0c9e5d2a-6b1f-4e83-a7d4-2f5b8c9e1a30"]

    /// A new system with no sessions.
    public init() {}

    /// `POST /{route}/SignIn`, matched without regard to case as IIS does.
    public func router() -> Router<PeerContext> {
        let router = legacy.router(options: .caseInsensitive)
        router.post(":route/SignIn") { request, _ in await signIn(request) }
        return router
    }

    private func signIn(_ request: Request) async -> Response {
        let body = JSONValue.parse(await FakeHTTP.body(request))
        // Web API's model binder matches members without regard to case.
        guard let login = body?.member(caseInsensitive: "UserName")?.stringValue,
            let password = body?.member(caseInsensitive: "Password")?.stringValue
        else {
            return FakeHTTP.json(400, .object([("Message", .string("The request is invalid."))]))
        }
        guard let user = legacy.check(login: login, password: password) else {
            return FakeHTTP.json(200, .object([("UserInfo", .null), ("ResponseCookies", .array([])), ("IsValid", .bool(false))]),
                                 contentType: "application/json")
        }
        let ticket = FakeTokens.base64URL(bytes: 240)
        legacy.openSession(for: user, tokens: [ticket])
        let domain = request.head.authority.flatMap { $0.split(separator: ":").first.map(String.init) } ?? "localhost"
        let stamp = Self.timeStamp(Date())
        let roles = user.roles.map { role in
            JSONValue.object([("Id", .string(Self.roleIDs[role] ?? "")), ("DisplayName", .string(role))])
        }
        let answer = JSONValue.object([
            ("UserInfo", .object([
                ("UserName", .string(user.userName)), ("Roles", .array(roles)), ("Logins", .array([])), ("Claims", .array([])),
            ])),
            ("ResponseCookies", .array([
                Self.cookie(".AspNet.ExternalCookie", "", domain: domain, expired: true, expires: "1970-01-01T00:00:00+00:00", stamp: stamp),
                Self.cookie(".AspNet.ApplicationCookie", ticket, domain: domain, expired: false, expires: "0001-01-01T00:00:00", stamp: stamp),
            ])),
            ("IsValid", .bool(true)),
        ])
        return FakeHTTP.json(200, answer, contentType: "application/json", headers: [
            ("Set-Cookie", ".AspNet.ExternalCookie=; path=/; expires=Thu, 01-Jan-1970 00:00:00 GMT"),
            ("Set-Cookie", ".AspNet.ApplicationCookie=\(ticket); path=/; HttpOnly"),
        ])
    }

    /// One `System.Net.Cookie` as the document lists it, member for member.
    private static func cookie(_ name: String, _ value: String, domain: String, expired: Bool, expires: String, stamp: String) -> JSONValue {
        .object([
            ("Comment", .string("")), ("HttpOnly", .bool(false)), ("Discard", .bool(false)), ("Domain", .string(domain)),
            ("Expired", .bool(expired)), ("Expires", .string(expires)), ("Name", .string(name)), ("Path", .string("/")),
            ("Port", .string("")), ("Secure", .bool(false)), ("TimeStamp", .string(stamp)), ("Value", .string(value)),
            ("Version", .int(0)),
        ])
    }

    /// `2015-06-25T13:46:17.1464796+05:00`: .NET's round-trip form, seven fraction digits; the fake runs in UTC.
    private static func timeStamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSxxx"
        return formatter.string(from: date)
    }
}
