import Foundation
import Testing
import Upstream

/// TLS to an upstream: verification is on by default, and a configured CA file is what makes a private
/// certificate trusted. The upstream is a real `openssl s_server` on 127.0.0.1 with a fresh self-signed cert.
@Suite struct UpstreamTLSTests {
    /// Runs `openssl` with `arguments`, waiting for it to finish.
    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }

    @Test func caFileDecidesWhetherAPrivateCertificateIsTrusted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
        let port = Int.random(in: 20_000...40_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        server.standardInput = Pipe()
        try server.run()
        defer {
            // SIGKILL: the test process ignores SIGTERM (service-lifecycle's signal handling), and a
            // child keeps that disposition across exec, so terminate() would leave s_server running.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        let client = UpstreamClient()
        defer { client.shutdown() }
        var trusted = UpstreamRequest(method: "GET", url: "https://127.0.0.1:\(port)/", timeoutSeconds: 30)
        trusted.tls.caFile = cert
        // Wait (bounded) for s_server to listen: a generous deadline, as it starts slowly on a busy machine.
        var answer: UpstreamResponse?
        let deadline = ContinuousClock.now + .seconds(30)
        while answer == nil, ContinuousClock.now < deadline {
            do { answer = try await client.send(trusted) } catch UpstreamError.couldNotConnect {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(answer?.status == 200)

        let untrusted = UpstreamRequest(method: "GET", url: "https://127.0.0.1:\(port)/", timeoutSeconds: 30)
        // Without the CA file the same server is refused: the peer certificate does not verify.
        do {
            _ = try await client.send(untrusted)
            Issue.record("an untrusted certificate was accepted")
        } catch let error as UpstreamError {
            guard case .transport(let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.lowercased().contains("certificate"))
        }
    }
}
