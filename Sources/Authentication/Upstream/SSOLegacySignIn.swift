import GatehouseCore
import Upstream

/// SSO upstream (seed 001): the caller's bearer token is presented as is; the answer names the user.
struct SSOLegacySignIn: LegacySignIn {
    func request(for request: SignInRequest, url: String) -> UpstreamRequest? {
        guard case .bearer(let token) = request.credential else { return nil }
        return UpstreamRequest(method: "POST", url: url, headers: [("Authorization", "Bearer \(token)")], body: Array("{}".utf8))
    }

    func identity(from response: UpstreamResponse, authenticator: String) throws -> Identity {
        let json = try object(response)
        guard let userName = json["username"]?.stringValue, case .int(let id)? = json["id"] else { throw LegacyAnswerError() }
        var identity = identity(userName: userName, authenticator: authenticator)
        identity.numericID = id
        if case .int(let ext)? = json["ext_id"] { identity.externalID = ext }
        if let role = json["role"]?.stringValue { identity.roles = [Role(name: role, id: NameBasedUUID.role(role), displayName: role)] }
        if case .array(let tags)? = json["tags"] {
            identity.tags = tags.compactMap { if case .int(let t) = $0 { t } else { nil } }
        }
        return identity
    }

    /// The caller's own token is what the SSO upstream knows the session by; nothing new is issued.
    func artifacts(from response: UpstreamResponse) -> [String: String] { [:] }
}
