import GatehouseTesting
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import Testing
import Upstream

/// What the streaming test server saw, shared between its handlers and the test.
final class StreamingProbe: Sendable {
    private struct State {
        var bytesWritten = 0
        var downloadAborted = false
    }

    private let state = Mutex(State())

    var bytesWritten: Int { state.withLock { $0.bytesWritten } }
    var downloadAborted: Bool { state.withLock { $0.downloadAborted } }

    func wrote(_ count: Int) { state.withLock { $0.bytesWritten += count } }
    func aborted() { state.withLock { $0.downloadAborted = true } }
}

/// Streaming both ways through the libcurl client, against a real Hummingbird server.
@Suite struct UpstreamStreamingTests {
    static let chunk = [UInt8](repeating: 0x5A, count: 64 << 10)

    /// `GET /bytes/{mebibytes}` streams that many MiB of 0x5A; `POST /count` answers with the number of
    /// bytes and their sum, plus the request's Content-Length and Transfer-Encoding; `POST /echo` streams
    /// the request body back; `POST /early` answers 413 without reading the body; `HEAD /sized` answers
    /// 200 with the length of a body it leaves out, as servers answer HEAD.
    static func router(_ probe: StreamingProbe) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("bytes/:mebibytes") { _, context -> Response in
            let mebibytes = try context.parameters.require("mebibytes", as: Int.self)
            return Response(status: .ok, body: ResponseBody { writer in
                do {
                    for _ in 0..<(mebibytes * 16) {
                        try await writer.write(ByteBuffer(bytes: chunk))
                        probe.wrote(chunk.count)
                    }
                    try await writer.finish(nil)
                } catch {
                    probe.aborted()
                    throw error
                }
            })
        }
        router.post("count") { request, _ -> String in
            var count = 0
            var sum = 0
            for try await buffer in request.body {
                count += buffer.readableBytes
                sum = buffer.readableBytesView.reduce(sum) { ($0 &+ Int($1)) & 0xFFFF_FFFF }
            }
            let length = request.headers[.contentLength] ?? "-"
            let coding = request.headers[.transferEncoding] ?? "-"
            return "\(count) \(sum) \(length) \(coding)"
        }
        router.post("echo") { request, _ -> Response in
            Response(status: .ok, body: ResponseBody(asyncSequence: request.body))
        }
        router.post("early") { _, _ -> Response in
            Response(status: .contentTooLarge)
        }
        router.head("sized") { _, _ -> Response in
            Response(status: .ok, headers: [.contentLength: "305"])
        }
        return router
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test func aLargeDownloadArrivesWholeInChunks() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let probe = StreamingProbe()
        let (count, chunks) = try await LoopbackServer.run(Self.router(probe)) { port in
            let response = try await client.stream(UpstreamRequest(method: "GET", url: "http://127.0.0.1:\(port)/bytes/32", timeoutSeconds: 60))
            #expect(response.head.status == 200)
            var count = 0
            var chunks = 0
            for try await chunk in response.body {
                // Sampled: a byte-by-byte check of 32 MiB costs seconds in a debug build.
                #expect(chunk.first == 0x5A && chunk.last == 0x5A)
                count += chunk.count
                chunks += 1
            }
            return (count, chunks)
        }
        #expect(count == 32 << 20)
        #expect(chunks > 32)
    }

    @Test func aReaderThatStopsReadingStopsTheUpstream() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let probe = StreamingProbe()
        let written = try await LoopbackServer.run(Self.router(probe)) { port in
            let response = try await client.stream(UpstreamRequest(method: "GET", url: "http://127.0.0.1:\(port)/bytes/1024", timeoutSeconds: 60))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            // Read once the server has stalled: without backpressure it would write all 1 GiB into curl's buffers.
            let written = try await settled(within: .seconds(120)) { probe.bytesWritten }
            response.body.cancel()
            return written
        }
        // Our 1 MiB buffer plus the kernel's socket buffers on loopback (a few MiB each way).
        #expect(written < 64 << 20, "server wrote \(written) bytes to a paused reader")
    }

    @Test func cancellingTheBodyClosesTheUpstreamConnection() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let probe = StreamingProbe()
        try await LoopbackServer.run(Self.router(probe)) { port in
            let response = try await client.stream(UpstreamRequest(method: "GET", url: "http://127.0.0.1:\(port)/bytes/1024", timeoutSeconds: 60))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            response.body.cancel()
            await #expect(throws: CancellationError.self) { _ = try await iterator.next() }
            try await eventually(within: .seconds(30)) { probe.downloadAborted }
        }
        #expect(probe.downloadAborted)
    }

    @Test(arguments: [nil, 4 << 20] as [Int?])
    func aStreamedUploadArrivesWhole(length: Int?) async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let payload = Self.bytes(4 << 20, seed: 7)
        let answer = try await LoopbackServer.run(Self.router(StreamingProbe())) { port in
            let body = UpstreamRequestBody(length: length)
            async let response = client.stream(UpstreamRequest(method: "POST", url: "http://127.0.0.1:\(port)/count", timeoutSeconds: 60), body: body)
            var offset = 0
            while offset < payload.count {
                let end = min(offset + 100_000, payload.count)
                #expect(await body.write(Array(payload[offset..<end])))
                offset = end
            }
            body.finish()
            return String(decoding: try await response.body.collect(upTo: 1 << 10), as: UTF8.self)
        }
        let sum = payload.reduce(0) { ($0 &+ Int($1)) & 0xFFFF_FFFF }
        let framing = length.map { "\($0) -" } ?? "- chunked"
        #expect(answer == "\(payload.count) \(sum) \(framing)")
    }

    @Test func binaryBytesEchoThroughBothStreams() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let payload = Self.bytes(2 << 20, seed: 11)
        let echoed = try await LoopbackServer.run(Self.router(StreamingProbe())) { port in
            let body = UpstreamRequestBody(length: payload.count)
            let writer = Task {
                for start in stride(from: 0, to: payload.count, by: 65_537) {
                    guard await body.write(Array(payload[start..<min(start + 65_537, payload.count)])) else { return }
                }
                body.finish()
            }
            let response = try await client.stream(UpstreamRequest(method: "POST", url: "http://127.0.0.1:\(port)/echo", timeoutSeconds: 60), body: body)
            let bytes = try await response.body.collect(upTo: payload.count)
            await writer.value
            return bytes
        }
        #expect(echoed.count == payload.count)
        #expect(echoed == payload)
    }

    @Test func anUpstreamThatAnswersWithoutReadingReleasesTheWriter() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let (status, accepted) = try await LoopbackServer.run(Self.router(StreamingProbe())) { port in
            let body = UpstreamRequestBody(length: nil)
            let writer = Task {
                var accepted = 0
                for _ in 0..<1024 {
                    guard await body.write(Self.chunk) else { break }
                    accepted += 1
                }
                body.finish()
                return accepted
            }
            let response = try await client.stream(UpstreamRequest(method: "POST", url: "http://127.0.0.1:\(port)/early", timeoutSeconds: 20), body: body)
            _ = try? await response.body.collect(upTo: 1 << 10)
            return (response.head.status, await writer.value)
        }
        #expect(status == 413)
        #expect(accepted < 1024)
    }

    /// A body means nothing to HEAD (RFC 9110 §9.3.2): one given is dropped and its writer released, and
    /// the exchange ends with the answer's head, though that announces a length.
    @Test func aHeadWithAStreamedBodyEndsWithItsHead() async throws {
        let client = UpstreamClient()
        defer { client.shutdown() }
        let (status, length, rest, accepted) = try await LoopbackServer.run(Self.router(StreamingProbe())) { port in
            let body = UpstreamRequestBody(length: 5)
            let response = try await client.stream(
                UpstreamRequest(method: "HEAD", url: "http://127.0.0.1:\(port)/sized", timeoutSeconds: 30), body: body)
            let rest = try await response.body.collect(upTo: 1 << 10)
            let length = response.head.headers.first { $0.0.lowercased() == "content-length" }?.1
            return (response.head.status, length, rest, await body.write(Array("hello".utf8)))
        }
        #expect(status == 200)
        #expect(length == "305")
        #expect(rest.isEmpty)
        #expect(!accepted)
    }
}
