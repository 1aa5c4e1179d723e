import Foundation
import GatehouseCore
import Grants

/// A `GrantService` over a memory store and a test clock, with lifetimes short enough to name.
struct GrantFixture {
    static let ticketLifetime: TimeInterval = 7_200
    static let webAPITokenLifetime: TimeInterval = 3_600
    static let bearerLifetime: TimeInterval = 600
    static let refreshLifetime: TimeInterval = 86_400
    static let sessionLifetime: TimeInterval = 1_800
    static let partnerSecret = "partner-secret-0123456789abcdef-0123456789"

    let clock: TestClock
    let keys: GrantKeys
    let store: MemoryGrantStore
    let service: GrantService

    static func make(
        sharedSecret: String? = nil, partnerUsers: [Int: Identity] = [:], keys: GrantKeys = .generate(),
        store: MemoryGrantStore = MemoryGrantStore(), clock: TestClock = TestClock()
    ) async throws -> GrantFixture {
        let config = try GatewayConfig.parse(Array(configJSON(sharedSecret: sharedSecret).utf8))
        let service = try await GrantService(
            config: config, keys: keys, store: store, partnerUser: { partnerUsers[$0] }, now: { clock.now })
        return GrantFixture(clock: clock, keys: keys, store: store, service: service)
    }

    static func configJSON(sharedSecret: String? = nil, keys: String? = nil) -> String {
        let sso = sharedSecret.map { #"{ "sharedSecret": "\#($0)" }"# } ?? "{}"
        return """
            {
              \(keys.map { #""keys": \#($0),"# } ?? "")
              "dialects": {
                "aspnet": { "ticketLifetimeSeconds": \(Int(ticketLifetime)) },
                "sso": \(sso),
                "webapi": { "tokenLifetimeSeconds": \(Int(webAPITokenLifetime)), "issuer": "https://gatehouse.test", "audience": "crm" },
                "servicestack": {
                  "issuer": "ssjwt-test", "bearerTokenLifetimeSeconds": \(Int(bearerLifetime)),
                  "refreshTokenLifetimeSeconds": \(Int(refreshLifetime)), "sessionLifetimeSeconds": \(Int(sessionLifetime))
                }
              },
              "authenticators": [
                { "name": "crm", "type": "upstream", "dialect": "aspnet", "url": "http://127.0.0.1:8081/1/SignIn" }
              ]
            }
            """
    }

    static let alice = Identity(
        subject: "0b6c1f0e-5a43-4d4e-9a55-1d2a7b0e9c11", numericID: 42, userName: "alice", displayName: "Alice Example",
        email: EmailAddresses(primary: "alice@example.com"),
        roles: [
            Role(name: "admin", id: "7fce52a4-5fba-452d-be64-0a6f7c510a0b", displayName: "Administrator"),
            Role(name: "editor", id: "2f1d3c44-0c1e-4c55-8d0e-3e8f6b1a2c3d", displayName: "Editor"),
        ],
        permissions: ["users.manage"], createdAt: TestClock.start, updatedAt: TestClock.start, authenticator: "local")

    static let bob = Identity(
        subject: "9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", numericID: 7, externalID: 700, userName: "bob",
        createdAt: TestClock.start, updatedAt: TestClock.start, authenticator: "partner")

    static func request(_ dialect: DialectID, remember: Bool = false) -> SignInRequest {
        SignInRequest(credential: .password(login: "alice", secret: "correct horse"), remember: remember, dialect: dialect)
    }

    /// Signs `identity` in through `dialect`, minting `kinds`.
    func signIn(
        _ dialect: DialectID, kinds: Set<ArtifactKind>, identity: Identity = GrantFixture.alice, remember: Bool = false
    ) async throws -> SignedIn {
        try await service.issue(identity, for: Self.request(dialect, remember: remember), kinds: kinds)
    }
}
