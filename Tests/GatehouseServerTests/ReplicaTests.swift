import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// Two `gatehouse` processes on one PostgreSQL database are one gateway: what is signed in on one works on
/// the other, what is signed out on one is refused on the other within a second, and one account has one
/// failure counter.
@Suite(.serialized) struct ReplicaTests {
    /// Every kind of artifact Gatehouse issues, presented on a door that checks it.
    enum Artifact: String, CaseIterable, Sendable {
        case aspnetTicket, webapiJWT, baasSessionToken, serviceStackSessionID, serviceStackPermanentID,
            serviceStackBearer, serviceStackRefreshToken, partnerToken
    }

    /// Signs in as Admin on `client` and returns the artifact of `kind`.
    static func signIn(_ kind: Artifact, on client: GatewayClient) async throws -> String {
        switch kind {
        case .aspnetTicket: return try await OneIdentityManyDoorsTests.signIn(.aspnetTicket, client)
        case .webapiJWT: return try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
        case .baasSessionToken: return try await OneIdentityManyDoorsTests.signIn(.baasSessionToken, client)
        case .serviceStackSessionID: return try await OneIdentityManyDoorsTests.signIn(.serviceStackSessionID, client)
        case .serviceStackBearer: return try await OneIdentityManyDoorsTests.signIn(.serviceStackBearer, client)
        case .serviceStackPermanentID:
            let reply = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass","RememberMe":true}"#)
            return try #require(reply.cookie("ss-pid"))
        case .serviceStackRefreshToken:
            let reply = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
            return try #require(reply.json?["RefreshToken"]?.stringValue)
        case .partnerToken:
            return try await SSOSignInTests.partnerToken(userID: 1)
        }
    }

    /// Whether `artifact` opens its own door on `client`: each is checked where its clients present it.
    static func opens(_ kind: Artifact, _ artifact: String, on client: GatewayClient) async throws -> Bool {
        switch kind {
        case .aspnetTicket, .webapiJWT, .serviceStackBearer, .partnerToken:
            let reply = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(artifact)")])
            guard reply.status == 200 else { return false }
            #expect(reply.text == OneIdentityManyDoorsTests.adminSSO)
            return true
        case .baasSessionToken:
            let reply = try await client.get(
                "/v2/auth/verify", headers: [("X-Api-Key", TestConfiguration.apiKey), ("Authorization", "Bearer \(artifact)")])
            return reply.status == 200 && reply.json?["username"] == .string("Admin")
        case .serviceStackSessionID:
            let reply = try await client.get("/auth", headers: [("Cookie", "ss-id=\(artifact)")])
            return reply.status == 200 && reply.json?["UserName"] == .string("Admin")
        case .serviceStackPermanentID:
            let reply = try await client.get("/auth", headers: [("Cookie", "ss-pid=\(artifact); ss-opt=perm")])
            return reply.status == 200 && reply.json?["UserName"] == .string("Admin")
        case .serviceStackRefreshToken:
            let reply = try await client.post("/access-token", json: #"{"RefreshToken":"\#(artifact)"}"#)
            return reply.status == 200 && reply.json?["AccessToken"]?.stringValue?.isEmpty == false
        }
    }

    /// Signs out the grant behind `artifact` on `client`, through ServiceStack's logout (which ends any artifact's grant).
    static func signOut(_ kind: Artifact, _ artifact: String, on client: GatewayClient) async throws {
        let headers: [(String, String)] = switch kind {
        case .serviceStackSessionID: [("Cookie", "ss-id=\(artifact)")]
        case .serviceStackPermanentID: [("Cookie", "ss-pid=\(artifact); ss-opt=perm")]
        case .serviceStackRefreshToken: []
        default: [("Authorization", "Bearer \(artifact)")]
        }
        let reply = try await client.send("POST", "/auth/logout", headers: headers)
        #expect(reply.status == 200)
    }

    @Test func everyArtifactSignedInOnOneReplicaWorksOnTheOtherUntilSignedOutThere() async throws {
        let replicas = try await Replicas.start(storeURL: try TestPostgres.newDatabase())
        defer { replicas.stop() }
        // The refresh token's grant is signed out through the bearer of the same sign-in.
        for kind in Artifact.allCases where kind != .serviceStackRefreshToken {
            let artifact = try await Self.signIn(kind, on: replicas.a)
            #expect(try await Self.opens(kind, artifact, on: replicas.b), "\(kind) signed in on A does not open B")
            #expect(try await Self.opens(kind, artifact, on: replicas.a), "\(kind) does not open A")

            try await Self.signOut(kind, artifact, on: replicas.b)
            let signedOut = ContinuousClock.now
            // When the first request that A refused was sent: what a client sees, whatever a poll costs.
            var refusedFrom: ContinuousClock.Instant?
            try await eventually(within: .seconds(5), every: .milliseconds(10)) {
                let sent = ContinuousClock.now
                guard try await !Self.opens(kind, artifact, on: replicas.a) else { return false }
                refusedFrom = sent
                return true
            }
            let elapsed = try #require(refusedFrom, "\(kind) signed out on B still opens A") - signedOut
            #expect(elapsed < .seconds(1), "\(kind) signed out on B was refused on A only after \(elapsed)")
            #expect(try await !Self.opens(kind, artifact, on: replicas.b))
        }
        let reply = try await replicas.a.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#)
        let refresh = try #require(reply.json?["RefreshToken"]?.stringValue)
        let bearer = try #require(reply.json?["BearerToken"]?.stringValue)
        #expect(try await Self.opens(.serviceStackRefreshToken, refresh, on: replicas.b))
        try await Self.signOut(.serviceStackBearer, bearer, on: replicas.b)
        #expect(try await eventually(within: .seconds(1), every: .milliseconds(10)) {
            try await !Self.opens(.serviceStackRefreshToken, refresh, on: replicas.a)
        })
    }

    @Test func everyGrantAndRevocationOutlivesARestartOfBothReplicas() async throws {
        let replicas = try await Replicas.start(storeURL: try TestPostgres.newDatabase())
        var kept: [(Artifact, String)] = []
        var revoked: [(Artifact, String)] = []
        for kind in Artifact.allCases {
            kept.append((kind, try await Self.signIn(kind, on: replicas.a)))
            let gone = try await Self.signIn(kind, on: replicas.b)
            if kind != .serviceStackRefreshToken {
                try await Self.signOut(kind, gone, on: replicas.a)
                revoked.append((kind, gone))
            }
        }
        let again = try await replicas.restarted()
        defer { again.stop() }
        for (kind, artifact) in kept {
            #expect(try await Self.opens(kind, artifact, on: again.a), "\(kind) kept does not open A after the restart")
            #expect(try await Self.opens(kind, artifact, on: again.b), "\(kind) kept does not open B after the restart")
        }
        for (kind, artifact) in revoked {
            #expect(try await !Self.opens(kind, artifact, on: again.a), "\(kind) signed out opens A again after the restart")
            #expect(try await !Self.opens(kind, artifact, on: again.b), "\(kind) signed out opens B again after the restart")
        }
    }

    /// One wrong password in `dialect`, on `client`; the reply.
    static func wrongPassword(_ dialect: DialectID, on client: GatewayClient, password: String = "wrong") async throws -> Reply {
        switch dialect {
        case .aspnet: try await client.post("/1/SignIn", json: #"{"UserName":"editor","Password":"\#(password)"}"#)
        case .sso: try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer nope")])
        case .webapi:
            try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"editor@example.com","client_secret":"\#(password)"}"#)
        case .baas:
            try await client.post("/v2/auth/signin", json: #"{"username":"EDITOR","password":"\#(password)"}"#, headers: [("X-Api-Key", TestConfiguration.apiKey)])
        case .servicestack: try await client.post("/auth/credentials", json: #"{"UserName":"editor@example.com","Password":"\#(password)"}"#)
        }
    }

    @Test func twentyWrongPasswordsOverFiveDialectsAndTwoReplicasLockTheAccountUntilTheLockEnds() async throws {
        let replicas = try await Replicas.start(
            storeURL: try TestPostgres.newDatabase(), lockout: ["accountLockSeconds": 4])
        defer { replicas.stop() }
        // The SSO door takes no password: its refusals are not guesses, and the four password doors carry them.
        let doors: [DialectID] = [.aspnet, .webapi, .baas, .servicestack, .sso]
        for attempt in 0..<20 {
            let client = attempt % 2 == 0 ? replicas.a : replicas.b
            _ = try await Self.wrongPassword(doors[attempt % doors.count], on: client)
        }
        // The right password is refused now, on both replicas, in every password dialect.
        for client in [replicas.a, replicas.b] {
            for dialect in doors where dialect != .sso {
                let reply = try await Self.wrongPassword(dialect, on: client, password: "editor-pass")
                #expect(reply.status == 429, "\(dialect): \(reply.status) \(reply.text)")
                #expect(reply.header("Retry-After").flatMap(Int.init).map { (1...4).contains($0) } == true)
            }
        }
        // Once the lock has ended the right password signs in again.
        try await Task.sleep(for: .seconds(4.5))
        let reply = try await Self.wrongPassword(.webapi, on: replicas.b, password: "editor-pass")
        #expect(reply.status == 200)
    }
}

/// The embedded default store: one process, one SQLite file, and a restart signs nobody out and
/// un-revokes nothing.
@Suite struct SQLiteRestartTests {
    @Test func aRestartKeepsEveryGrantAndEveryRevocation() async throws {
        let gateway = try await Replicas.start(store: ["type": "sqlite"], count: 1)
        var kept: [(ReplicaTests.Artifact, String)] = []
        var revoked: [(ReplicaTests.Artifact, String)] = []
        for kind in ReplicaTests.Artifact.allCases {
            kept.append((kind, try await ReplicaTests.signIn(kind, on: gateway.a)))
            guard kind != .serviceStackRefreshToken else { continue }
            let gone = try await ReplicaTests.signIn(kind, on: gateway.a)
            try await ReplicaTests.signOut(kind, gone, on: gateway.a)
            #expect(try await !ReplicaTests.opens(kind, gone, on: gateway.a))
            revoked.append((kind, gone))
        }
        let again = try await gateway.restarted()
        defer { again.stop() }
        for (kind, artifact) in kept {
            #expect(try await ReplicaTests.opens(kind, artifact, on: again.a), "\(kind) kept does not open after the restart")
        }
        for (kind, artifact) in revoked {
            #expect(try await !ReplicaTests.opens(kind, artifact, on: again.a), "\(kind) signed out opens again after the restart")
        }
    }
}
