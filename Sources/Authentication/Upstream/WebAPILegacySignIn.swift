import Foundation
import GatehouseCore
import Upstream

/// Web API password-grant upstream (seed 002): the identity is read from the JWT it returns.
struct WebAPILegacySignIn: LegacySignIn {
    func request(for request: SignInRequest, url: String) -> UpstreamRequest? {
        guard let (login, secret) = passwordCredential(request) else { return nil }
        return jsonPost(url, .object([
            ("grant_type", .string("password")), ("client_id", .string(login)), ("client_secret", .string(secret)),
        ]))
    }

    func identity(from response: UpstreamResponse, authenticator: String) throws -> Identity {
        let json = try object(response)
        guard let token = json["access_token"]?.stringValue, let claims = Self.claims(of: token),
            let userName = claims["unique_name"]?.stringValue ?? claims["email"]?.stringValue
        else { throw LegacyAnswerError() }
        var identity = identity(userName: userName, authenticator: authenticator)
        identity.email.primary = claims["email"]?.stringValue
        identity.roles = roleNames(claims["role"])
        return identity
    }

    func artifacts(from response: UpstreamResponse) -> [String: String] {
        JSONValue.parse(response.body)?["access_token"]?.stringValue.map { ["bearer": $0] } ?? [:]
    }

    /// The payload of a JWT. The upstream is trusted as the party we called over the configured URL; its
    /// signing keys are not ours to know, so the signature is not checked here.
    static func claims(of token: String) -> JSONValue? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var text = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return JSONValue.parse(Array(data))
    }
}
