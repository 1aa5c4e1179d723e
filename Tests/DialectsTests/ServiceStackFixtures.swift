import Dialects
import Foundation
import GatehouseCore

/// Settings, an identity, a grant and requests shared by the ServiceStack dialect tests.
///
/// Settings come from `GatewayConfig.parse`, so the tests run against the defaults a deployment gets.
enum ServiceStackFixtures {
    /// `Tue, 14 Nov 2023 22:13:20 GMT`: when the test grant was issued.
    static let issuedAt = Date(timeIntervalSince1970: 1_700_000_000)
    /// `Wed, 13 Nov 2024 22:13:20 GMT`: when the test refresh token expires.
    static let refreshExpiry = Date(timeIntervalSince1970: 1_731_536_000)

    /// A JWT whose payload is `{"sub":"7","exp":1700003600}` (an hour after `issuedAt`).
    static let bearerToken = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3IiwiZXhwIjoxNzAwMDAzNjAwfQ.c2ln"
    /// A JWT whose payload is `{"sub":"7","exp":1731536000}`.
    static let refreshToken = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3IiwiZXhwIjoxNzMxNTM2MDAwfQ.c2ln"

    /// The dialect with `servicestack` settings `settings` (a JSON object) from a whole gateway.json.
    static func dialect(_ settings: String = "{}") throws -> ServiceStackDialect {
        let document = """
            {"dialects": {"servicestack": \(settings)},
             "authenticators": [{"name": "local", "type": "local", "users": [
               {"id": 7, "username": "ann", "email": "ann@example.com", "passwordHash": "$2b$10$abcdefghijklmnopqrstuu"}]}]}
            """
        return ServiceStackDialect(settings: try GatewayConfig.parse(Array(document.utf8)).dialects.servicestack)
    }

    static let identity = Identity(
        subject: "a564ef59-085b-4803-b514-37288e32709e", numericID: 7, userName: "ann", displayName: "Ann Example",
        roles: [Role(name: "admin", id: "6f1f0a57-0d3f-4bd1-9a8e-3c1c1e4a0b11", displayName: "Administrator")],
        permissions: ["reports.read"], createdAt: issuedAt, updatedAt: issuedAt, authenticator: "local")

    /// A user with no numeric id, display name, roles or permissions.
    static let bareIdentity = Identity(
        subject: "0f8fad5b-d9cb-469f-a165-70867728950e", userName: "bob", createdAt: issuedAt, updatedAt: issuedAt,
        authenticator: "local")

    static func grant(_ identity: Identity = identity, persistent: Bool = false) -> Grant {
        Grant(
            id: "grant-1", identity: identity, dialect: .servicestack, issuedAt: issuedAt,
            expiresAt: issuedAt.addingTimeInterval(1_209_600), persistent: persistent)
    }

    static let session = ServiceStackSession(
        sessionID: "sid-1", permanentID: "pid-1", bearerToken: bearerToken, refreshToken: refreshToken,
        refreshTokenExpiry: refreshExpiry)

    static func signedIn(_ identity: Identity = identity, persistent: Bool = false) -> DialectResult {
        .signedIn(SignedIn(grant: grant(identity, persistent: persistent), artifacts: IssuedArtifacts(serviceStack: session)))
    }

    /// A request for `target` (path and query) with headers as pairs and a UTF-8 body.
    static func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String = "", tooLarge: Bool = false
    ) -> WireRequest {
        let (path, query) = splitTarget(target)
        return WireRequest(
            method: method, path: path, query: query, headers: WireHeaders(headers), body: Array(body.utf8),
            bodyTooLarge: tooLarge, remoteAddress: "127.0.0.1")
    }

    /// A JSON POST of `body` to `target`.
    static func postJSON(_ target: String, _ body: String, headers: [(String, String)] = []) -> WireRequest {
        request("POST", target, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// A form POST of `body` to `target`.
    static func postForm(_ target: String, _ body: String) -> WireRequest {
        request("POST", target, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body)
    }

    /// What the default dialect answers `request` with itself; nil when the request goes on to be resolved.
    static func directResponse(to request: WireRequest) throws -> WireResponse? {
        guard case .respond(let response)? = try dialect().decode(request)?.action else { return nil }
        return response
    }
}
