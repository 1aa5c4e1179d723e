import Dispatch
import Foundation
import GatehouseTesting
import Synchronization

/// `gatehouse serve` as a child process, run from the executable built next to the tests.
final class GatehouseProcess: Sendable {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts `gatehouse serve` and waits, at most `deadline`, for "… listening on 127.0.0.1:PORT".
    /// `environment` is added to (or replaces variables of) this process's environment, which the child inherits.
    ///
    /// - Throws: `StartFailure` when the child exits first or stays silent past `deadline`; a silent one
    ///   is killed, so a test fails instead of hanging.
    static func start(
        configPath: String, environment: [String: String] = [:], deadline: Duration = .seconds(30)
    ) async throws -> GatehouseProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--config", configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let startup = StartupOutput()
        let (ports, found) = AsyncStream.makeStream(of: Int.self)
        process.terminationHandler = { _ in found.finish() }
        try process.run()
        // Blocking reads on a thread of their own, never the test's, draining until the child's end so it
        // never blocks on a full pipe. Not a `readabilityHandler`: tearing down its dispatch read source
        // races the pipe's close and has crashed this process in `_dispatch_event_loop_drain` under load
        // (swift-corelibs-foundation #5507; swift-tools-protocols #73 reads the same way for that reason).
        let reading = output.fileHandleForReading
        Thread.detachNewThread {
            while case let data = reading.availableData, !data.isEmpty {
                if let port = startup.append(data) { found.yield(port) }
            }
            found.finish()
        }
        let timer = Task {
            try await Task.sleep(for: deadline)
            found.finish()
        }
        defer { timer.cancel() }
        for await port in ports { return GatehouseProcess(process: process, port: port) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StartFailure(description: "gatehouse said nothing of listening within \(deadline), so it was killed; it printed: \(startup.text)")
        }
        throw StartFailure(description: "gatehouse exited with status \(process.terminationStatus) before listening; it printed: \(startup.text)")
    }

    /// Peak resident set size in bytes (`VmHWM` of /proc/PID/status).
    func peakResidentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        let kilobytes = Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "") ?? 0
        return kilobytes * 1024
    }

    /// The names of the process's threads (`/proc/PID/task/*/comm`), as `top -H` and perf show them.
    func threadNames() throws -> [String] {
        let tasks = "/proc/\(process.processIdentifier)/task"
        return try FileManager.default.contentsOfDirectory(atPath: tasks).compactMap { task in
            try? String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
        }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension GatehouseProcess {
    /// Runs `body` with the base URL of a public route `/files` (prefix stripped) to the upstream on
    /// `upstreamPort`, on a `gatehouse` process started with `environment` added to its own.
    static func serving(
        upstreamPort: Int, environment: [String: String] = [:], _ body: @Sendable (String, GatehouseProcess) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let base = try JSONSerialization.jsonObject(with: Data(TestConfiguration.json(stateDirectory: directory.path).utf8))
        guard var document = base as? [String: Any] else { throw StartFailure(description: "the test configuration is not an object") }
        document["routes"] = [["name": "files", "pathPrefix": "/files", "upstream": "http://127.0.0.1:\(upstreamPort)",
                               "stripPrefix": true, "policy": "public"]]
        let configPath = directory.appendingPathComponent("gateway.json").path
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: configPath))
        let gatehouse = try await start(configPath: configPath, environment: environment)
        defer { gatehouse.stop() }
        try await body("http://127.0.0.1:\(gatehouse.port)/files", gatehouse)
    }

    /// The `gatehouse` executable the tests were built with.
    static var executable: URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = directory.appendingPathComponent("gatehouse")
        // `swift test` runs the xctest bundle from .build/<triple>/debug; the binary is beside it.
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return directory.deletingLastPathComponent().appendingPathComponent("gatehouse")
    }

    /// How a one-shot command ended and what it printed.
    struct Run: Sendable {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `gatehouse <arguments>` to its end, for one-shot commands such as `check-config`. A run still going
    /// after `deadline` is killed (and so ends with a signal's status), so a test fails instead of hanging.
    static func run(_ arguments: [String], deadline: TimeInterval = 30) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // On a Dispatch thread, not the cooperative pool this test may be blocking.
        let watchdog = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        // Both outputs are a few lines, far below a pipe's buffer: reading one after the other cannot stall.
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complained = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Run(
            status: process.terminationStatus, output: String(decoding: printed, as: UTF8.self),
            errors: String(decoding: complained, as: UTF8.self))
    }

    /// Why `gatehouse serve` did not come up.
    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// What the child printed until it named its port.
    final class StartupOutput: Sendable {
        private struct State {
            var text = ""
            var port: Int?
        }

        private let state = Mutex(State())

        var text: String { state.withLock { $0.text } }

        /// Appends `data` until the port shows; returns the port the first time it does.
        func append(_ data: Data) -> Int? {
            state.withLock { state in
                guard state.port == nil else { return nil }
                state.text += String(decoding: data, as: UTF8.self)
                guard let range = state.text.range(of: "listening on 127.0.0.1:") else { return nil }
                let rest = state.text[range.upperBound...]
                let digits = rest.prefix { $0.isNumber }
                // The line may arrive in pieces: the port is whole once something follows it.
                guard digits.count < rest.count else { return nil }
                state.port = Int(digits)
                return state.port
            }
        }
    }
}
