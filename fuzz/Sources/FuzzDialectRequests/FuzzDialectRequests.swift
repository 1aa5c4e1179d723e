// Every dialect's decoding of a whole request (method, target, headers, body), then its encoding
// of the outcomes a decoded call can meet. Input: a request as on the wire (`METHOD target`,
// header lines, a blank line, the body).
import Dialects
import Foundation
import FuzzSupport
import GatehouseCore

let config: GatewayConfig = {
    let json = """
        {
          "stateDirectory": "/tmp/gatehouse-fuzz",
          "dialects": {
            "aspnet": { "enabled": true, "routes": ["1", "node2"] },
            "sso": { "enabled": true },
            "webapi": { "enabled": true },
            "baas": { "enabled": true, "apiKeys": ["browser api.example 525ad5d6993247cccb083e5a"] },
            "servicestack": { "enabled": true }
          },
          "authenticators": [{ "name": "crm", "type": "upstream", "dialect": "aspnet", "url": "http://127.0.0.1:8081/1/SignIn" }],
          "store": { "type": "memory" }
        }
        """
    do {
        return try GatewayConfig.parse(Array(json.utf8))
    } catch {
        fatalError("fuzz configuration: \(error)")
    }
}()

let dialects: [any Dialect] = [
    AspNetDialect(settings: config.dialects.aspnet), SSODialect(settings: config.dialects.sso),
    WebAPIDialect(settings: config.dialects.webapi), BaaSDialect(settings: config.dialects.baas),
    ServiceStackDialect(settings: config.dialects.servicestack),
]

let identity = Identity(
    subject: "a564ef59-085b-4803-b514-37288e32709e", numericID: 1, externalID: 1001, userName: "ann",
    displayName: "Ann", email: EmailAddresses(primary: "ann@example.com"),
    roles: [Role(name: "admin", id: "7fce52a4", displayName: "Admin")], tags: [7],
    createdAt: Date(timeIntervalSince1970: 1_383_825_600), updatedAt: Date(timeIntervalSince1970: 1_383_825_600),
    authenticator: "local")
let grant = Grant(
    id: "g1", identity: identity, dialect: .servicestack, issuedAt: Date(timeIntervalSince1970: 1_700_000_000.25),
    expiresAt: Date(timeIntervalSince1970: 1_700_003_600), persistent: true)
let artifacts = IssuedArtifacts(
    applicationCookie: "ticket", accessToken: "a.b.c", accessTokenLifetime: 3600, sessionToken: "token",
    serviceStack: ServiceStackSession(
        sessionID: "sid", permanentID: "pid", bearerToken: "x.eyJleHAiOjE3MDAwMDM2MDB9.y", refreshToken: "r.e.f",
        refreshTokenExpiry: Date(timeIntervalSince1970: 1_700_086_400)))
let outcomes: [DialectResult] = [
    .signedIn(SignedIn(grant: grant, artifacts: artifacts)), .resolved(grant, artifacts: artifacts), .signedOut,
    .refreshed(accessToken: "x.eyJleHAiOjE3MDAwMDM2MDB9.y"), .failed(.invalidCredentials), .failed(.lockedOut(retryAfterSeconds: 900)),
    .failed(.upstreamUnavailable(upstream: "crm")),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDialectRequests(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let request = FuzzInput(data, count).wireRequest
    _ = request.host
    _ = request.clientContext
    for dialect in dialects {
        guard let call = dialect.decode(request) else { continue }
        for outcome in outcomes {
            let response = dialect.encode(outcome, for: call)
            precondition((100...599).contains(response.status), "\(dialect.id) answered status \(response.status)")
        }
    }
    return 0
}
