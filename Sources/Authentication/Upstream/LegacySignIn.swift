import Foundation
import GatehouseCore
import Upstream

/// How one legacy dialect is spoken to an upstream: the sign-in request it expects, and what its answer means.
protocol LegacySignIn: Sendable {
    /// The upstream request for `request`; `nil` when this dialect cannot carry the credential (not ours).
    func request(for request: SignInRequest, url: String) -> UpstreamRequest?
    /// The identity an answer vouches for. Throws `AuthFailure.invalidCredentials` when the upstream refused the
    /// credential, and `LegacyAnswerError` when the answer is not what the dialect promises.
    func identity(from response: UpstreamResponse, authenticator: String) throws -> Identity
    /// The upstream's own artifacts in a successful answer, by name (`cookie:<name>`, `bearer`).
    func artifacts(from response: UpstreamResponse) -> [String: String]
    /// The artifacts to keep for a successful answer to `request`: by default those of the answer alone.
    func artifacts(from response: UpstreamResponse, for request: SignInRequest) -> [String: String]
    /// The dialect's sign-out request for a kept session; `nil` where the dialect has none.
    func signOutRequest(upstreamArtifacts: [String: String], signInURL: String) -> UpstreamRequest?
}

extension LegacySignIn {
    func signOutRequest(upstreamArtifacts: [String: String], signInURL: String) -> UpstreamRequest? { nil }

    func artifacts(from response: UpstreamResponse, for request: SignInRequest) -> [String: String] { artifacts(from: response) }

    /// `signInURL` with its last path segment replaced (`…/auth/signin` → `…/auth/signout`).
    func sibling(_ signInURL: String, _ segment: String) -> String {
        guard let slash = signInURL.lastIndex(of: "/") else { return signInURL }
        return signInURL[...slash] + segment
    }
}

/// An upstream answer that does not follow its dialect: an outage, never a wrong password.
struct LegacyAnswerError: Error {}

extension LegacySignIn {
    /// A JSON POST with the given members.
    func jsonPost(_ url: String, _ body: JSONValue, headers: [(String, String)] = []) -> UpstreamRequest {
        UpstreamRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")] + headers, body: body.bytes)
    }

    /// The body of a 2xx answer as a JSON object; 401/400 are a refusal, anything else garbage.
    func object(_ response: UpstreamResponse, refusedWith refusals: Set<Int> = [400, 401, 403]) throws -> JSONValue {
        if refusals.contains(response.status) { throw AuthFailure.invalidCredentials }
        guard (200..<300).contains(response.status), let json = JSONValue.parse(response.body), case .object = json else {
            throw LegacyAnswerError()
        }
        return json
    }

    /// The value a `Set-Cookie` header of the answer gives cookie `name`.
    func cookie(_ name: String, in response: UpstreamResponse) -> String? {
        for (header, value) in response.headers where header.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";", maxSplits: 1).first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name, !parts[1].isEmpty { return String(parts[1]) }
        }
        return nil
    }

    /// A minimal identity for an upstream user, its subject stable per (authenticator, user name).
    func identity(userName: String, authenticator: String) -> Identity {
        let now = Date()
        return Identity(
            subject: NameBasedUUID.upstreamUser(authenticator: authenticator, userName: userName), userName: userName,
            createdAt: now, updatedAt: now, authenticator: authenticator)
    }
}

/// The password of a credential, if it is one.
func passwordCredential(_ request: SignInRequest) -> (login: String, secret: String)? {
    guard case .password(let login, let secret) = request.credential else { return nil }
    return (login, secret)
}

/// Role names from a JSON array of strings, or from one string: .NET's JwtSecurityTokenHandler writes a
/// single `role` claim as a plain string and only several as an array.
func roleNames(_ value: JSONValue?) -> [Role] {
    let names: [String] = switch value {
    case .array(let items)?: items.compactMap(\.stringValue)
    case .string(let name)?: [name]
    default: []
    }
    return names.map { Role(name: $0, id: NameBasedUUID.role($0), displayName: $0) }
}
