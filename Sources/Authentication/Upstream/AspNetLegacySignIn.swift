import Foundation
import GatehouseCore
import Upstream

/// ASP.NET Identity "SignInInternal" upstream (seed 000); `{route}` in the url is the caller's cluster route.
struct AspNetLegacySignIn: LegacySignIn {
    func request(for request: SignInRequest, url: String) -> UpstreamRequest? {
        guard let (login, secret) = passwordCredential(request) else { return nil }
        let routed = url.replacingOccurrences(of: "{route}", with: request.clusterRoute ?? "1")
        return jsonPost(routed, .object([
            ("UserName", .string(login)), ("Password", .string(secret)), ("Remember", .bool(request.remember)),
        ]))
    }

    func identity(from response: UpstreamResponse, authenticator: String) throws -> Identity {
        let json = try object(response)
        guard case .bool(let valid)? = json["IsValid"] else { throw LegacyAnswerError() }
        guard valid else { throw AuthFailure.invalidCredentials }
        guard let info = json["UserInfo"], let userName = info["UserName"]?.stringValue else { throw LegacyAnswerError() }
        var identity = identity(userName: userName, authenticator: authenticator)
        if case .array(let roles)? = info["Roles"] {
            identity.roles = roles.compactMap { role in
                guard let id = role["Id"]?.stringValue, let name = role["DisplayName"]?.stringValue else { return nil }
                return Role(name: name, id: id, displayName: name)
            }
        }
        return identity
    }

    func artifacts(from response: UpstreamResponse) -> [String: String] {
        cookie(".AspNet.ApplicationCookie", in: response).map { ["cookie:.AspNet.ApplicationCookie": $0] } ?? [:]
    }
}
