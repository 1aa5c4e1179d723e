import Foundation
import GatehouseTesting
import HummingbirdTesting
import NIOCore
import Testing

@testable import GatehouseServer

/// A forward-auth check sent again byte for byte on the connection it was let through on
/// (`RepeatedCheckHandler`): answered with the very bytes NIO's encoder wrote the first time, but for its
/// own request id; and every request around it — pipelined, split, long, with a body, refused — is
/// answered as it is without it, in order. (Revocation between repeats: `RememberedDecisionTests`.)
@Suite struct RepeatedCheckTests {
    static func check(_ uri: String, bearer: String?, _ extra: [String] = []) -> String {
        let fields = ["Host: localhost", "X-Original-Method: GET", "X-Original-URI: \(uri)"] + (bearer.map { ["Authorization: Bearer \($0)"] } ?? []) + extra
        return "GET /authz/auth-request HTTP/1.1\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    /// A head without its `X-Request-Id` line.
    static func withoutRequestID(_ head: String) -> String {
        head.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.lowercased().hasPrefix("x-request-id:") }.joined(separator: "\r\n")
    }

    static func field(_ name: String, _ head: String) -> [String] { RememberedDecisionTests.field(name, in: head) }

    @Test func aCheckSentAgainGetsTheFirstAnswersBytesWithItsOwnRequestID() async throws {
        try await ForwardAuthFixture.withGatehouse { client, _ in
            let admin = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let port = try #require(try client.client.port)
            try await RawConnection.with(port: port) { connection in
                // A check on the loop (`ProxyChannelHandler`, through NIO's encoder) is offered for repeats,
                // which are answered on the loop too; Hummingbird answers one whose artifact was not checked
                // within the last 250 ms (a first sight, a slow machine), with its own `Date` and `Server`.
                var heads: [String] = []
                var onLoop: [String] = []
                while onLoop.count < 4, heads.count < 50 {
                    try await connection.write(Self.check("/echo/x", bearer: admin))
                    let head = try await connection.readHead()
                    heads.append(head)
                    if Self.field("Server", head).isEmpty { onLoop.append(head) }
                }
                try #require(onLoop.count == 4, "answered on the loop: \(onLoop.count) of \(heads.count)")
                #expect(onLoop[0].hasPrefix("HTTP/1.1 200 OK\r\n"), "\(onLoop[0])")
                #expect(Self.field("X-Auth-User", onLoop[0]) == ["Admin"])
                #expect(Self.field("X-Auth-Roles", onLoop[0]) == ["admin"])
                #expect(Self.field("Content-Length", onLoop[0]) == ["0"])
                // The first one on the loop went through NIO's encoder; the repeats' bytes are its bytes.
                for head in onLoop.dropFirst() { #expect(Self.withoutRequestID(head) == Self.withoutRequestID(onLoop[0])) }
                let ids = heads.flatMap { Self.field("X-Request-Id", $0) }
                #expect(ids.count == heads.count && Set(ids).count == heads.count, "each answer has its own request id: \(ids)")
                // A check carrying its own request id gets it back, every time.
                for _ in 0..<3 {
                    try await connection.write(Self.check("/echo/x", bearer: admin, ["X-Request-Id: check-42"]))
                    let head = try await connection.readHead()
                    #expect(Self.field("X-Request-Id", head) == ["check-42"])
                    #expect(Self.field("X-Auth-User", head) == ["Admin"])
                }
            }
        }
    }

    @Test func checksAroundARepeatAreEachAnsweredInOrder() async throws {
        try await ForwardAuthFixture.withGatehouse { client, _ in
            let admin = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            let editor = try await RememberedCallerTests.editorToken(client)
            let port = try #require(try client.client.port)
            try await RawConnection.with(port: port) { connection in
                let repeated = Self.check("/echo/x", bearer: admin)
                func expectAnswers(_ statuses: [String], users: [String?], _ comment: Comment) async throws {
                    for (status, user) in zip(statuses, users) {
                        let head = try await connection.readHead()
                        _ = try await connection.readBody(framedBy: head)
                        #expect(head.hasPrefix("HTTP/1.1 \(status)"), "\(comment): \(head)")
                        if let user { #expect(Self.field("X-Auth-User", head) == [user], "\(comment)") }
                    }
                }
                for _ in 0..<2 {
                    try await connection.write(repeated)
                    try await expectAnswers(["200 OK"], users: ["Admin"], "first sight")
                }
                // Three alike in one write, then a refusal and another caller behind a repeat.
                try await connection.write(repeated + repeated + repeated)
                try await expectAnswers(["200 OK", "200 OK", "200 OK"], users: ["Admin", "Admin", "Admin"], "pipelined")
                try await connection.write(repeated + Self.check("/echo/x", bearer: nil) + Self.check("/echo/x", bearer: editor))
                try await expectAnswers(["200 OK", "401 ", "200 OK"], users: ["Admin", nil, "editor"], "a refusal between")
                try await connection.write(repeated + Self.check("/echo/admin/x", bearer: editor))
                try await expectAnswers(["200 OK", "403 "], users: ["Admin", nil], "a role between")
                // A head in two writes.
                let split = repeated.utf8.count / 2
                try await connection.write(String(repeated.prefix(split)))
                try await Task.sleep(for: .milliseconds(50))
                try await connection.write(String(repeated.dropFirst(split)))
                try await expectAnswers(["200 OK"], users: ["Admin"], "split")
                // A head longer than the longest held back.
                let pad = String(repeating: "p", count: RepeatedCheckHandler.longestHead + 100)
                try await connection.write(Self.check("/echo/x", bearer: admin, ["X-Pad: \(pad)"]))
                try await expectAnswers(["200 OK"], users: ["Admin"], "long")
                try await connection.write(repeated)
                try await expectAnswers(["200 OK"], users: ["Admin"], "after a long head")
            }
            // A check with a body behind a repeat: the body is skipped, the next check read after it.
            try await RawConnection.with(port: port) { connection in
                let repeated = Self.check("/echo/x", bearer: admin)
                for _ in 0..<3 {
                    try await connection.write(repeated)
                    #expect(try await connection.readHead().hasPrefix("HTTP/1.1 200 OK\r\n"))
                }
                let withBody = repeated.replacingOccurrences(of: "\r\n\r\n", with: "\r\nContent-Length: 5\r\n\r\nhello")
                try await connection.write(repeated + withBody + Self.check("/echo/x", bearer: nil) + repeated)
                for status in ["200 OK", "200 OK", "401 ", "200 OK"] {
                    let head = try await connection.readHead()
                    #expect(head.hasPrefix("HTTP/1.1 \(status)"), "\(head)")
                    _ = try await connection.readBody(framedBy: head)
                }
            }
        }
    }

    @Test func headEndsAreFoundOnlyAtAnEmptyCRLFLine() {
        func head(_ text: String) -> RepeatedCheckHandler.Head { RepeatedCheckHandler.head(ByteBuffer(string: text)) }
        #expect(head("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == .complete(27))
        #expect(head("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET") == .complete(27))
        #expect(head("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
        #expect(head("GET / HTTP/1.1\r\nHost: a\r\n\r") == .incomplete)
        #expect(head("GET / HTTP/1.1\r\nHost: a\n\n") == .unusual)
        #expect(head("GET / HTTP/1.1\nHost: a\r\n\r\n") == .unusual)
        #expect(head("") == .incomplete)
    }
}
