import GatehouseCore
import Upstream

/// ServiceStack `/auth/credentials` upstream (seed 004), answered with an `AuthenticateResponse`.
struct ServiceStackLegacySignIn: LegacySignIn {
    func request(for request: SignInRequest, url: String) -> UpstreamRequest? {
        guard let (login, secret) = passwordCredential(request) else { return nil }
        return jsonPost(url, .object([
            ("UserName", .string(login)), ("Password", .string(secret)), ("RememberMe", .bool(request.remember)),
        ]))
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

    func artifacts(from response: UpstreamResponse) -> [String: String] {
        var kept: [String: String] = [:]
        if let id = cookie("ss-id", in: response) { kept["cookie:ss-id"] = id }
        if let pid = cookie("ss-pid", in: response) { kept["cookie:ss-pid"] = pid }
        if let bearer = JSONValue.parse(response.body)?.member(caseInsensitive: "BearerToken")?.stringValue { kept["bearer"] = bearer }
        return kept
    }
}
