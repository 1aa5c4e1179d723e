import GatehouseCore
import Upstream

/// BaaS session-token upstream (seed 003): `X-Api-Key` plus `username`/`password`, answered with the user object.
struct BaaSLegacySignIn: LegacySignIn {
    let apiKey: String?

    func request(for request: SignInRequest, url: String) -> UpstreamRequest? {
        guard let (login, secret) = passwordCredential(request) else { return nil }
        let key = apiKey.map { [("X-Api-Key", $0)] } ?? []
        return jsonPost(url, .object([("username", .string(login)), ("password", .string(secret))]), headers: key)
    }

    func identity(from response: UpstreamResponse, authenticator: String) throws -> Identity {
        let json = try object(response)
        // Seed 003's user object has no `username`: the primary e-mail names the user, then `usersId`.
        guard let userName = json["username"]?.stringValue ?? json["email"]?["primary"]?.stringValue ?? json["usersId"]?.stringValue,
            json["sessionToken"]?.stringValue != nil
        else { throw LegacyAnswerError() }
        var identity = identity(userName: userName, authenticator: authenticator)
        if let email = json["email"] {
            identity.email = EmailAddresses(
                primary: email["primary"]?.stringValue, secondary: email["secondary"]?.stringValue,
                work: email["work"]?.stringValue, other: email["other"]?.stringValue)
        }
        if case .bool(let active)? = json["active"] { identity.active = active }
        return identity
    }

    /// `GET …/signout` with the session token, as the BaaS SDKs call it.
    func signOutRequest(upstreamArtifacts: [String: String], signInURL: String) -> UpstreamRequest? {
        guard let token = upstreamArtifacts["bearer"] else { return nil }
        let key = apiKey.map { [("X-Api-Key", $0)] } ?? []
        return UpstreamRequest(method: "GET", url: sibling(signInURL, "signout"), headers: key + [("Authorization", "Bearer \(token)")])
    }

    func artifacts(from response: UpstreamResponse) -> [String: String] {
        JSONValue.parse(response.body)?["sessionToken"]?.stringValue.map { ["bearer": $0] } ?? [:]
    }
}
