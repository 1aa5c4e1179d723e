import Foundation
import GatehouseCore
import GatehouseTesting
import Testing

/// A command run to its end on a thread of its own (never the cooperative pool), with its output.
func runCommand(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            let complained = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complained, as: UTF8.self)))
        }
    }
}

/// Waits, on a thread of its own, for a child to end; its exit status.
func waitForExit(_ process: Process) async -> Int32 {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            process.waitUntilExit()
            continuation.resume(returning: process.terminationStatus)
        }
    }
}

/// A scratch directory holding a test configuration with `changes` applied to its top-level keys.
struct ProcessConfig {
    let directory: URL
    var path: String { directory.appendingPathComponent("gateway.json").path }

    init(_ changes: [String: Any] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write(changes)
    }

    func write(_ changes: [String: Any]) throws {
        let base = try JSONSerialization.jsonObject(with: Data(TestConfiguration.json(stateDirectory: directory.path).utf8))
        guard var document = base as? [String: Any] else { throw GatehouseProcess.StartFailure(description: "not an object") }
        for (key, value) in changes { document[key] = value }
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
    }

    func writeRaw(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Suite struct OperationsProcessTests {
    /// A self-signed P-256 certificate for 127.0.0.1, made by the openssl command.
    static func certificate(in directory: URL) async throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try await runCommand("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        #expect(made.status == 0, "\(made.errors)")
        return (certificate, key)
    }

    /// curl as a client would use it: the answer's protocol version, head and body.
    static func curl(_ arguments: [String], in directory: URL) async throws -> (version: String, head: String, body: String) {
        let head = directory.appendingPathComponent("head-\(UUID().uuidString)").path
        let body = directory.appendingPathComponent("body-\(UUID().uuidString)").path
        let run = try await runCommand("/usr/bin/curl", ["-sS", "--max-time", "30", "-D", head, "-o", body, "-w", "%{http_version}"] + arguments)
        #expect(run.status == 0, "curl: \(run.errors)")
        return (
            run.output, (try? String(contentsOfFile: head, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: body, encoding: .utf8)) ?? "")
    }

    @Test func tlsSignInOverHTTP2AndHTTP1WithSecureCookies() async throws {
        let config = try ProcessConfig()
        defer { config.remove() }
        let (certificate, key) = try await Self.certificate(in: config.directory)
        try config.write(["server": ["host": "127.0.0.1", "port": 0, "tls": ["certificateFile": certificate, "keyFile": key]]])
        let gatehouse = try await GatehouseProcess.start(configPath: config.path)
        defer { gatehouse.stop() }
        let base = "https://127.0.0.1:\(gatehouse.port)"
        let signIn = ["--cacert", certificate, "-X", "POST", "-H", "Content-Type: application/json",
                      "-d", #"{"UserName":"Admin","Password":"admin-pass"}"#]

        let h2 = try await Self.curl(["--http2"] + signIn + ["\(base)/1/SignIn"], in: config.directory)
        #expect(h2.version == "2")
        #expect(h2.head.hasPrefix("HTTP/2 200"))
        let cookie = try #require(h2.head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: .aspnet.applicationcookie=") })
        #expect(cookie.hasSuffix("; path=/; secure; HttpOnly; SameSite=Lax"), "\(cookie)")
        #expect(h2.body.contains(#""IsValid":true"#))
        #expect(h2.body.contains(#""Name":".AspNet.ApplicationCookie","Path":"/","Port":"","Secure":true"#))

        let h1 = try await Self.curl(["--http1.1"] + signIn + ["\(base)/1/SignIn"], in: config.directory)
        #expect(h1.version == "1.1")
        #expect(h1.head.hasPrefix("HTTP/1.1 200"))

        let ss = try await Self.curl(
            ["--http2", "--cacert", certificate, "-X", "POST", "-H", "Content-Type: application/json",
             "-d", #"{"UserName":"Admin","Password":"admin-pass"}"#, "\(base)/auth/credentials"], in: config.directory)
        let ssID = try #require(ss.head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: ss-id=") })
        #expect(ssID.hasSuffix("; path=/; secure; HttpOnly; SameSite=Lax"), "\(ssID)")
        let health = try await Self.curl(["--http2", "--cacert", certificate, "\(base)/healthz"], in: config.directory)
        #expect(health.version == "2")
        #expect(health.body == #"{"status":"ok"}"#)
    }

    @Test func sigtermLetsASlowRequestInFlightFinish() async throws {
        try await LoopbackServer.run(EchoUpstream.router()) { upstream in
            let config = try ProcessConfig([
                "routes": [["name": "files", "pathPrefix": "/files", "upstream": "http://127.0.0.1:\(upstream)", "stripPrefix": true, "policy": "public"]],
            ])
            defer { config.remove() }
            let gatehouse = try await GatehouseProcess.start(configPath: config.path)
            defer { if gatehouse.process.isRunning { gatehouse.stop() } }
            let client = GatewayClient(port: gatehouse.port)
            let slow = Task { try await client.get("/files/slow") }
            try await Task.sleep(for: .milliseconds(800))
            kill(gatehouse.process.processIdentifier, SIGTERM)
            let reply = try await slow.value
            #expect(reply.status == 200)
            #expect(reply.text == "late")
            // A clean exit: one cut off by the grace's end is not (and its answer would not be whole).
            let status = await waitForExit(gatehouse.process)
            #expect(status == 0)
        }
    }

    @Test func aRequestLongerThanTheGraceIsCutOffAndTheProcessStops() async throws {
        try await LoopbackServer.run(EchoUpstream.router()) { upstream in
            let config = try ProcessConfig([
                "server": ["host": "127.0.0.1", "port": 0, "shutdownGraceSeconds": 1],
                "routes": [["name": "files", "pathPrefix": "/files", "upstream": "http://127.0.0.1:\(upstream)", "stripPrefix": true, "policy": "public"]],
            ])
            defer { config.remove() }
            let gatehouse = try await GatehouseProcess.start(configPath: config.path)
            defer { if gatehouse.process.isRunning { gatehouse.stop() } }
            let client = GatewayClient(port: gatehouse.port)
            let slow = Task { try? await client.get("/files/slow") }
            try await Task.sleep(for: .milliseconds(300))
            let signalled = ContinuousClock.now
            kill(gatehouse.process.processIdentifier, SIGTERM)
            _ = await waitForExit(gatehouse.process)
            // Stopped after the 1 s grace, and before the upstream's 3 s answer could reach the client.
            #expect(ContinuousClock.now - signalled >= .milliseconds(900))
            #expect(await slow.value?.text != "late")
        }
    }

    @Test func reloadTakesAGoodFileKeepsGrantsAndConnectionsAndRefusesABadOne() async throws {
        let config = try ProcessConfig()
        defer { config.remove() }
        let gatehouse = try await GatehouseProcess.start(configPath: config.path)
        defer { gatehouse.stop() }
        let client = GatewayClient(port: gatehouse.port)
        let token = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
        let baasBody = #"{"username":"Admin","password":"admin-pass"}"#
        let apiKey = [("X-Api-Key", TestConfiguration.apiKey)]
        #expect(try await client.post("/v2/auth/signin", json: baasBody, headers: apiKey).status == 200)

        try await RawConnection.with(port: gatehouse.port) { connection in
            try await connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.readHead().hasPrefix("HTTP/1.1 200"))
            _ = try await connection.read(count: 15)

            // A good file: BaaS switched off. `gatehouse reload` checks it and signals the server.
            let base = try JSONSerialization.jsonObject(with: Data(TestConfiguration.json(stateDirectory: config.directory.path).utf8))
            var dialects = try #require((base as? [String: Any])?["dialects"] as? [String: Any])
            dialects["baas"] = ["enabled": false]
            try config.write(["dialects": dialects])
            let reload = try GatehouseProcess.run(["reload", "--config", config.path])
            #expect(reload.status == 0, "\(reload.errors)")
            #expect(try await eventually(within: .seconds(10), every: .milliseconds(100)) {
                try await client.post("/v2/auth/signin", json: baasBody, headers: apiKey).status == 404
            })
            // The grant survived, and so did the open connection.
            #expect(try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")]).status == 200)
            try await connection.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.readHead().hasPrefix("HTTP/1.1 200"))
            _ = try await connection.read(count: 15)

            // A bad file: `gatehouse reload` refuses it, naming the key; SIGHUP anyway logs it and keeps running.
            try config.writeRaw(#"{"server": {"port": "nine"}}"#)
            let refused = try GatehouseProcess.run(["reload", "--config", config.path])
            #expect(refused.status == 1)
            #expect(refused.errors.contains("server.port"))
            kill(gatehouse.process.processIdentifier, SIGHUP)
            try await Task.sleep(for: .milliseconds(500))
            #expect(gatehouse.process.isRunning)
            #expect(try await client.post("/v2/auth/signin", json: baasBody, headers: apiKey).status == 404)
            #expect(try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")]).status == 200)
        }
    }
}
