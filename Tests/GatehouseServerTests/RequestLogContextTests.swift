import GatehouseServer
import Logging
import Synchronization
import Testing

/// Log lines written while a request is handled name that request, through the metadata provider.
@Suite struct RequestLogContextTests {
    @Test func aProxiedRequestsLogLinesCarryItsRequestIDAndRoute() async throws {
        let lines = try await Self.linesLogged(askingThrough: "http://127.0.0.1:1", headers: [("X-Request-Id", "req-log-7")])
        let refused = lines.first { $0.message == "upstream refused the connection" }
        #expect(refused?.metadata["request_id"] == "req-log-7")
        #expect(refused?.metadata["route"] == "down")
        #expect(refused?.metadata["upstream"] == "http://127.0.0.1:1")
    }

    @Test func anUpstreamURLsPasswordNeverReachesALogLine() async throws {
        let lines = try await Self.linesLogged(askingThrough: "http://svc:s3cret@127.0.0.1:1")
        let refused = lines.first { $0.message == "upstream refused the connection" }
        #expect(refused?.metadata["upstream"] == "http://***@127.0.0.1:1")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(!"\(line.message) \(line.metadata)".contains("s3cret"), "\(line.message)")
        }
    }

    /// What a live gateway logs while answering `GET /down/x` through a public route to `upstream`
    /// (which refuses connections: 502 is asserted).
    private static func linesLogged(askingThrough upstream: String, headers: [(String, String)] = []) async throws -> [CapturedLines.Line] {
        let lines = CapturedLines()
        let logger = Logger(label: "gatehouse-test") { _ in
            CapturingHandler(lines: lines, metadataProvider: RequestLogContext.metadataProvider)
        }
        let config = try ProxyConfiguration.make(routes: [
            ["name": "down", "pathPrefix": "/down", "upstream": upstream, "policy": "public"],
        ])
        try await withLiveGateway(config, logger: logger) { client in
            let reply = try await client.get("/down/x", headers: headers)
            #expect(reply.status == 502)
        }
        return lines.all
    }

    @Test func outsideARequestTheProviderAddsNothing() {
        #expect(RequestLogContext.metadataProvider.get().isEmpty)
        RequestLogContext.$requestID.withValue("r1") {
            #expect(RequestLogContext.metadataProvider.get() == ["request_id": "r1"])
        }
    }
}

/// Log lines as a handler received them, metadata merged the way `StreamLogHandler` merges it.
private final class CapturedLines: Sendable {
    struct Line: Sendable {
        var message: String
        var metadata: Logger.Metadata
    }

    private let lines = Mutex<[Line]>([])
    var all: [Line] { lines.withLock { $0 } }
    func append(_ line: Line) { lines.withLock { $0.append(line) } }
}

private struct CapturingHandler: LogHandler {
    let lines: CapturedLines
    var metadataProvider: Logger.MetadataProvider?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(lines: CapturedLines, metadataProvider: Logger.MetadataProvider?) {
        self.lines = lines
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }
        merged.merge(event.metadata ?? [:]) { $1 }
        lines.append(.init(message: "\(event.message)", metadata: merged))
    }
}
