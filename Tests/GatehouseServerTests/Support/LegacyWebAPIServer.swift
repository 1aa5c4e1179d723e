import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A legacy Web API sign-in service (seed 002) on 127.0.0.1 that remembers the TCP source port of every
/// request, so a test can count the connections Gatehouse opened to it. Password for every user: `legacy-pw`.
final class LegacyWebAPIServer: Sendable {
    private let ports = Mutex<Set<Int>>([])
    private let requests = Mutex(0)

    /// Distinct TCP connections seen so far.
    var connectionCount: Int { ports.withLock { $0.count } }
    var requestCount: Int { requests.withLock { $0 } }

    /// Runs `body` with the port the server listens on, then stops it.
    func run<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        try await LoopbackServer.run(router(), body)
    }

    private func router() -> Router<PeerContext> {
        let router = Router(context: PeerContext.self)
        router.post("api/Account/SignIn") { [self] request, context -> Response in
            ports.withLock { _ = $0.insert(context.peerPort) }
            requests.withLock { $0 += 1 }
            let body = try await request.body.collect(upTo: 65_536)
            let json = JSONValue.parse(Array(body.readableBytesView))
            guard let login = json?["client_id"]?.stringValue, json?["client_secret"]?.stringValue == "legacy-pw" else {
                return Self.answer(401, .object([("Message", .string("Authorization has been denied for this request."))]))
            }
            let claims = JSONValue.object([("unique_name", .string(login)), ("email", .string(login)), ("role", .array([.string("staff")]))])
            let token = "eyJhbGciOiJIUzI1NiJ9." + Data(claims.bytes).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + ".c2ln"
            return Self.answer(200, .object([
                ("token_type", .string("bearer")), ("access_token", .string(token)), ("expires_in", .int(3600)),
                ("ClassVer", .int(1)), ("WebApiVersion", .object([("Major", .int(1)), ("Minor", .int(3)), ("Build", .int(0))])),
                ("ApiKeyHolder", .null),
            ]))
        }
        return router
    }

    private static func answer(_ status: Int, _ json: JSONValue) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}

/// A request context that knows the client's TCP source port (one per connection).
struct PeerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peerPort: Int

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerPort = source.channel.remoteAddress?.port ?? -1
    }
}
