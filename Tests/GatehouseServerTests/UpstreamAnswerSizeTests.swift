import GatehouseCore
import GatehouseTesting
import Testing

/// A legacy sign-in answer longer than Gatehouse reads is an outage: never a sign-in, never a wrong password.
@Suite struct UpstreamAnswerSizeTests {
    /// Signs admin in at a ServiceStack front door whose legacy upstream pads each answer with `padding` bytes.
    static func signIn(answerPadding padding: Int) async throws -> Reply {
        let fake = FakeServiceStackLegacy(answerPadding: padding)
        return try await fake.run { port in
            try await withLiveGateway(try TestConfiguration.front(upstream: .servicestack, url: fake.signInURL(port: port))) { front in
                try await front.post("/auth/credentials", json: #"{"UserName":"admin@example.com","Password":"admin-pass"}"#)
            }
        }
    }

    @Test func anAnswerWithinTheLimitSignsIn() async throws {
        let reply = try await Self.signIn(answerPadding: 512 << 10)
        #expect(reply.status == 200)
        #expect(reply.json?["UserName"]?.stringValue == "Admin")
    }

    @Test func anAnswerOverTheLimitIsServiceUnavailable() async throws {
        let reply = try await Self.signIn(answerPadding: 2 << 20)
        #expect(reply.status == 503)
        #expect(reply.text == #"{"ResponseStatus":{"ErrorCode":"ServiceUnavailable","Message":"Authentication service unavailable"}}"#)
    }
}
