import GatehouseCore
import Upstream

/// ServiceStack `/auth/credentials` upstream (seed 004), answered with an `AuthenticateResponse`. A bearer
/// token is checked with `GET /auth`, ServiceStack's "who am I": the same service answers the session the
/// token belongs to, or 401.
struct ServiceStackLegacySignIn: LegacySignIn {
    func request(for request: SignInRequest, url: String) -> UpstreamRequest? {
        if case .bearer(let token) = request.credential {
            return UpstreamRequest(
                method: "GET", url: Self.authService(url), headers: [("Accept", "application/json"), ("Authorization", "Bearer \(token)")])
        }
        guard let (login, secret) = passwordCredential(request) else { return nil }
        return jsonPost(url, .object([
            ("UserName", .string(login)), ("Password", .string(secret)), ("RememberMe", .bool(request.remember)),
        ]))
    }

    /// `…/auth` from the configured `…/auth/{provider}` sign-in url (kept as is when it already is `…/auth`).
    static func authService(_ signInURL: String) -> String {
        let trimmed = signInURL.hasSuffix("/") ? String(signInURL.dropLast()) : signInURL
        guard let slash = trimmed.lastIndex(of: "/"), trimmed[trimmed.index(after: slash)...].lowercased() != "auth" else { return trimmed }
        return String(trimmed[..<slash])
    }

    func identity(from response: UpstreamResponse, authenticator: String) throws -> Identity {
        let json = try object(response)
        guard let userName = json.member(caseInsensitive: "UserName")?.stringValue else { throw LegacyAnswerError() }
        var identity = identity(userName: userName, authenticator: authenticator)
        identity.displayName = json.member(caseInsensitive: "DisplayName")?.stringValue
        identity.roles = roleNames(json.member(caseInsensitive: "Roles"))
        if case .array(let perms)? = json.member(caseInsensitive: "Permissions") {
            identity.permissions = perms.compactMap(\.stringValue)
        }
        if let id = json.member(caseInsensitive: "UserId")?.stringValue.flatMap(Int.init) { identity.numericID = id }
        return identity
    }

    /// `POST …/auth/logout` carrying the session's `ss-id` cookie and bearer token.
    func signOutRequest(upstreamArtifacts: [String: String], signInURL: String) -> UpstreamRequest? {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let id = upstreamArtifacts["cookie:ss-id"] { headers.append(("Cookie", "ss-id=\(id)")) }
        if let bearer = upstreamArtifacts["bearer"] { headers.append(("Authorization", "Bearer \(bearer)")) }
        guard headers.count > 1 else { return nil }
        return UpstreamRequest(method: "POST", url: sibling(signInURL, "logout"), headers: headers)
    }

    /// A bearer the upstream vouched for is its own artifact: kept, so signing out ends that session too.
    func artifacts(from response: UpstreamResponse, for request: SignInRequest) -> [String: String] {
        var kept = artifacts(from: response)
        if case .bearer(let token) = request.credential, kept["bearer"] == nil { kept["bearer"] = token }
        return kept
    }

    func artifacts(from response: UpstreamResponse) -> [String: String] {
        var kept: [String: String] = [:]
        if let id = cookie("ss-id", in: response) { kept["cookie:ss-id"] = id }
        if let pid = cookie("ss-pid", in: response) { kept["cookie:ss-pid"] = pid }
        if let bearer = JSONValue.parse(response.body)?.member(caseInsensitive: "BearerToken")?.stringValue { kept["bearer"] = bearer }
        return kept
    }
}
