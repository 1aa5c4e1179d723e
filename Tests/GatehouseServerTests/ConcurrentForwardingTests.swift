import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import Hummingbird
import HummingbirdTesting
import Testing
import Upstream

/// Many sign-ins at once, forwarded to one legacy upstream: all answered right, over few reused connections.
@Suite struct ConcurrentForwardingTests {
    @Test func fiveHundredConcurrentForwardedSignInsShareFewConnections() async throws {
        let fake = FakeWebAPILegacy()
        try await fake.run { legacyPort in
            var config = try TestConfiguration.front(upstream: .webapi, url: fake.signInURL(port: legacyPort))
            // A hundred wrong passwords for two accounts from one address is what lockout is for; this test is not.
            config.lockout.enabled = false
            let front = try await GatehouseApplication.make(config: config, port: 0)
            try await front.test(.live) { client in
                let port = try #require(client.port)
                let caller = UpstreamClient()
                defer { caller.shutdown() }
                let statuses = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                    for i in 0..<500 {
                        group.addTask {
                            let good = i % 5 != 0
                            let user = i % 2 == 0 ? FakeUser.admin : FakeUser.editor
                            let body = #"{"UserName":"\#(user.email)","Password":"\#(good ? user.password : "nope")"}"#
                            let reply = try await caller.send(UpstreamRequest(
                                method: "POST", url: "http://127.0.0.1:\(port)/1/SignIn",
                                headers: [("Content-Type", "application/json")], body: Array(body.utf8), timeoutSeconds: 30))
                            let valid = JSONValue.parse(reply.body)?["IsValid"] == .bool(true)
                            return (reply.status, valid == good)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.count == 500)
                #expect(statuses.allSatisfy { $0.0 == 200 && $0.1 })
                #expect(fake.legacy.requestCount == 500)
                // libcurl's connection cache: at most 32 connections per host, kept alive and reused.
                #expect(fake.legacy.connectionCount <= 32)
            }
        }
    }
}
