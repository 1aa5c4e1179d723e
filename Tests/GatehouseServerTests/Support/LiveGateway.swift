import Dialects
import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import Upstream

/// One answer as a client on the wire saw it.
struct Reply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { JSONValue.parse(body) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Every `Set-Cookie` value, in order.
    var setCookies: [String] { headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1) }

    /// The value a `Set-Cookie` of `name` sets.
    func cookie(_ name: String) -> String? {
        for header in setCookies {
            let first = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            let parts = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }

    /// The whole `Set-Cookie` header of cookie `name`.
    func setCookie(_ name: String) -> String? { setCookies.first { $0.hasPrefix("\(name)=") } }
}

/// A client of a gateway running on a real socket: in this process (Hummingbird's test client), or a
/// `gatehouse` process reached over libcurl.
struct GatewayClient: Sendable {
    private enum Transport: Sendable {
        case testClient(any TestClientProtocol)
        case process(port: Int)
    }

    private let transport: Transport

    init(client: any TestClientProtocol) { transport = .testClient(client) }

    /// A client of the gateway listening on 127.0.0.1:`port`.
    init(port: Int) { transport = .process(port: port) }

    /// One libcurl client for every test that talks to a `gatehouse` process.
    private static let curl = UpstreamClient()

    var client: any TestClientProtocol {
        get throws {
            guard case .testClient(let client) = transport else { throw ClientError(description: "not an in-process gateway") }
            return client
        }
    }

    struct ClientError: Error, CustomStringConvertible { var description: String }

    func send(_ method: String, _ uri: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        switch transport {
        case .process(let port):
            let response = try await Self.curl.send(UpstreamRequest(
                method: method, url: "http://127.0.0.1:\(port)\(uri)", headers: headers, body: body ?? [], timeoutSeconds: 30))
            return Reply(status: response.status, headers: response.headers, body: response.body)
        case .testClient(let client):
            var fields = HTTPFields()
            for (name, value) in headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            let buffer = body.map { ByteBuffer(bytes: $0) }
            let method = HTTPRequest.Method(method) ?? .get
            return try await client.execute(uri: uri, method: method, headers: fields, body: buffer) { response in
                Reply(
                    status: Int(response.status.code),
                    headers: response.headers.map { ($0.name.rawName, $0.value) },
                    body: Array(response.body.readableBytesView))
            }
        }
    }

    func post(_ uri: String, json: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send("POST", uri, headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }

    func get(_ uri: String, headers: [(String, String)] = []) async throws -> Reply {
        try await send("GET", uri, headers: headers)
    }

    /// Sends through libcurl instead of the test client, which always writes its own `Host`.
    func raw(_ method: String, _ uri: String, headers: [(String, String)]) async throws -> Reply {
        let port = try #require(try client.port)
        let curl = UpstreamClient()
        defer { curl.shutdown() }
        let response = try await curl.send(UpstreamRequest(method: method, url: "http://127.0.0.1:\(port)\(uri)", headers: headers, timeoutSeconds: 30))
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }
}

/// Runs `test` against a gateway listening on 127.0.0.1 on a free port, driven over real sockets.
func withLiveGateway<T: Sendable>(
    _ config: GatewayConfig? = nil, logger: Logger? = nil, _ test: @escaping @Sendable (GatewayClient) async throws -> T
) async throws -> T {
    let config = try config ?? TestConfiguration.make()
    var logger = logger ?? Logger(label: "gatehouse-test")
    logger.logLevel = .warning
    let app = try await GatehouseApplication.make(config: config, port: 0, logger: logger)
    return try await app.test(.live) { client in try await test(GatewayClient(client: client)) }
}

/// Member names of a JSON document, recursively and sorted: the "shape" a client's deserialiser relies on.
func shape(_ value: JSONValue) -> String {
    switch value {
    case .object(let members):
        "{" + members.sorted { $0.0 < $1.0 }.map { "\($0.0):\(shape($0.1))" }.joined(separator: ",") + "}"
    case .array(let items): "[" + (items.first.map(shape) ?? "") + "]"
    case .string: "s"
    case .int, .double: "n"
    case .bool: "b"
    case .null: "null"
    case .fragment: "f"
    }
}
