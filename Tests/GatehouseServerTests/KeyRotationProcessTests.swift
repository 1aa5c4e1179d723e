import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// `gatehouse keys rotate` against running replicas: the new key is published on every replica at once,
/// signs once its time comes, and every token signed before or after opens every replica.
@Suite struct KeyRotationProcessTests {
    static func keyIDs(on client: GatewayClient) async throws -> [String] {
        let jwks = try await client.get("/.well-known/jwks.json")
        guard case .array(let keys)? = jwks.json?["keys"] else { return [] }
        return keys.compactMap { $0["kid"]?.stringValue }
    }

    static func kid(of token: String) -> String? {
        let header = token.split(separator: ".").first.map(String.init) ?? ""
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap { JSONValue.parse(Array($0)) }?["kid"]?.stringValue
    }

    @Test func aRotationReachesEveryReplicaAndOldAndNewTokensOpenThemAll() async throws {
        // Keys are reloaded every second, so a new key starts signing two seconds after the rotation.
        let replicas = try await Replicas.start(storeURL: try TestPostgres.newDatabase(), keys: ["refreshSeconds": 1])
        defer { replicas.stop() }
        let old = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, replicas.a)
        let oldCookie = try await OneIdentityManyDoorsTests.signIn(.aspnetTicket, replicas.b)
        let before = try await Self.keyIDs(on: replicas.a)
        #expect(before.count == 1)
        #expect(Self.kid(of: old) == before.first)

        let rotation = try GatehouseProcess.run(["keys", "rotate", "--config", replicas.configPaths[1]])
        #expect(rotation.status == 0, "\(rotation.errors)")
        #expect(rotation.output.contains("new signing key "))
        #expect(rotation.output.contains("previous signing key \(before[0]): verifies until "))

        // Published on both replicas, the old key still among them (which of the two is first depends on
        // whether the new one's time to sign has already come on a slow machine).
        for client in [replicas.a, replicas.b] {
            #expect(try await eventually(within: .seconds(20)) { try await Self.keyIDs(on: client).count == 2 })
            #expect(try await Self.keyIDs(on: client).contains(before[0]))
        }
        // Then the new key signs, on every replica.
        var new = ""
        #expect(try await eventually(within: .seconds(20)) {
            new = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, replicas.a)
            return Self.kid(of: new) != before[0]
        })
        // B lists it first (active) within one reload of A.
        #expect(try await eventually(within: .seconds(20)) { try await Self.keyIDs(on: replicas.b).first == Self.kid(of: new) })
        #expect(try await Self.keyIDs(on: replicas.b).count == 2)
        for client in [replicas.a, replicas.b] {
            for token in [old, new, oldCookie] {
                let reply = try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")])
                #expect(reply.status == 200, "a token from before or after the rotation is refused: \(reply.text)")
            }
        }
    }
}
