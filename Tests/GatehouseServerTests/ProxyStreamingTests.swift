import Foundation
import GatehouseCore
import GatehouseTesting
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Upstream

/// Streaming through the proxy: gigabyte bodies in bounded memory, and a client that leaves.
@Suite struct ProxyStreamingTests {
    static let gibibyte = 1 << 30

    /// Runs `body` with the base URL of a public route `/files` on a `gatehouse` process in front of the echo upstream.
    static func withGatehouseProcess(_ body: @escaping @Sendable (String, GatehouseProcess) async throws -> Void) async throws {
        try await LoopbackServer.run(EchoUpstream.router()) { upstreamPort in
            try await GatehouseProcess.serving(upstreamPort: upstreamPort, body)
        }
    }

    @Test func aGibibyteDownloadPassesInBoundedMemory() async throws {
        try await Self.withGatehouseProcess { base, gatehouse in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let download = try await client.stream(UpstreamRequest(method: "GET", url: "\(base)/bytes/\(Self.gibibyte)", timeoutSeconds: 600))
            #expect(download.head.status == 200)
            var received = 0
            var patternHolds = true
            for try await chunk in download.body {
                if received % (64 << 20) < chunk.count {  // spot-check about every 64 MiB
                    patternHolds = patternHolds && chunk.enumerated().allSatisfy { $0.element == EchoUpstream.byte(at: received + $0.offset) }
                }
                received += chunk.count
            }
            #expect(received == Self.gibibyte)
            #expect(patternHolds)
            let peak = try gatehouse.peakResidentBytes()
            #expect(peak > 0)
            #expect(peak < 128 << 20, "Gatehouse peaked at \(peak >> 20) MiB resident")
        }
    }

    @Test func aGibibyteUploadPassesInBoundedMemory() async throws {
        try await Self.withGatehouseProcess { base, gatehouse in
            let client = UpstreamClient()
            defer { client.shutdown() }
            let body = UpstreamRequestBody(length: nil)
            let block = [UInt8](repeating: 0xA5, count: 256 << 10)
            let writer = Task {
                for _ in 0..<(Self.gibibyte / block.count) {
                    guard await body.write(block) else { return }
                }
                body.finish()
            }
            let upload = try await client.stream(UpstreamRequest(method: "PUT", url: "\(base)/echo/sink", timeoutSeconds: 600), body: body)
            let answer = JSONValue.parse(try await upload.body.collect(upTo: 1 << 16))
            await writer.value
            #expect(upload.head.status == 200)
            #expect(answer?["bodyBytes"] == .int(Self.gibibyte))
            let peak = try gatehouse.peakResidentBytes()
            #expect(peak > 0)
            #expect(peak < 128 << 20, "Gatehouse peaked at \(peak >> 20) MiB resident")
        }
    }

    /// A public route `/files` to `port`.
    static func files(_ port: Int) throws -> GatewayConfig {
        try ProxyConfiguration.make(routes: [
            ["name": "files", "pathPrefix": "/files", "upstream": "http://127.0.0.1:\(port)", "stripPrefix": true, "policy": "public"],
        ])
    }

    /// Backpressure towards the upstream: a client that stops reading a gibibyte download stops the
    /// upstream writing it, once the socket buffers between them are full.
    @Test func aClientThatStopsReadingStopsTheUpstream() async throws {
        let probe = EchoProbe()
        try await LoopbackServer.run(EchoUpstream.router(probe: probe)) { upstreamPort in
            try await withLiveGateway(try Self.files(upstreamPort)) { gateway in
                try await RawConnection.with(port: try #require(gateway.client.port), reading: false) { connection in
                    try await connection.write("GET /files/bytes/\(Self.gibibyte) HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    #expect(try await eventually(within: .seconds(30)) { probe.bytesWritten > 0 })
                    let written = try await settled(within: .seconds(120)) { probe.bytesWritten }
                    // Loopback's socket buffers (the client's, Gatehouse's both ways, the upstream's) hold a few MiB each.
                    #expect(written < 64 << 20, "the upstream wrote \(written >> 20) MiB to a client that reads nothing")
                }
            }
        }
    }

    /// Backpressure towards the client: an upstream that reads none of an upload stops Gatehouse reading
    /// it from the client, once the socket buffers between them are full.
    @Test func anUpstreamThatStopsReadingStopsTheClient() async throws {
        // Accepts connections and never reads from them.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { silent.close(promise: nil) }
        try await withLiveGateway(try Self.files(try #require(silent.localAddress?.port))) { gateway in
            try await RawConnection.with(port: try #require(gateway.client.port)) { connection in
                try await connection.write("PUT /files/sink HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(Self.gibibyte)\r\n\r\n")
                let sent = SentBytes()
                let block = ByteBuffer(repeating: 0xA5, count: 64 << 10)
                let writer = Task {
                    while sent.value.load(ordering: .relaxed) < Self.gibibyte {
                        try await connection.write(block)
                        sent.value.add(block.readableBytes, ordering: .relaxed)
                    }
                }
                defer { writer.cancel() }
                #expect(try await eventually(within: .seconds(30)) { sent.value.load(ordering: .relaxed) > 0 })
                let written = try await settled(within: .seconds(120)) { sent.value.load(ordering: .relaxed) }
                #expect(written < 64 << 20, "the client wrote \(written >> 20) MiB towards an upstream that reads nothing")
            }
        }
    }

    @Test func aClientThatLeavesCancelsTheUpstreamTransfer() async throws {
        let probe = EchoProbe()
        try await LoopbackServer.run(EchoUpstream.router(probe: probe)) { upstreamPort in
            let config = try ProxyConfiguration.make(routes: [
                ["name": "files", "pathPrefix": "/files", "upstream": "http://127.0.0.1:\(upstreamPort)", "stripPrefix": true, "policy": "public"],
            ])
            try await withLiveGateway(config) { gateway in
                let port = try #require(gateway.client.port)
                let client = UpstreamClient()
                defer { client.shutdown() }
                let response = try await client.stream(UpstreamRequest(
                    method: "GET", url: "http://127.0.0.1:\(port)/files/bytes/\(Self.gibibyte)", timeoutSeconds: 60))
                var iterator = response.body.makeAsyncIterator()
                #expect(try await iterator.next() != nil)
                response.body.cancel()
                try await eventually(within: .seconds(30)) { probe.abortedDownloads > 0 }
                #expect(probe.abortedDownloads == 1)
            }
        }
    }
}

/// A count the writing task and the test share.
private final class SentBytes: Sendable {
    let value = Atomic(0)
}
