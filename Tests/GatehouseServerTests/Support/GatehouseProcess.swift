import Foundation
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
    ///
    /// - Throws: `StartFailure` when the child exits first or stays silent past `deadline`; a silent one
    ///   is killed, so a test fails instead of hanging.
    static func start(configPath: String, deadline: Duration = .seconds(30)) async throws -> GatehouseProcess {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var executable = directory.appendingPathComponent("gatehouse")
        // `swift test` runs the xctest bundle from .build/<triple>/debug; the binary is beside it.
        if !FileManager.default.isExecutableFile(atPath: executable.path) {
            executable = directory.deletingLastPathComponent().appendingPathComponent("gatehouse")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--config", configPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let startup = StartupOutput()
        let (ports, found) = AsyncStream.makeStream(of: Int.self)
        // Read on Foundation's thread, never blocking the test, and keep draining so the child never
        // blocks on a full pipe.
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                found.finish()
                return
            }
            if let port = startup.append(data) {
                found.yield(port)
                found.finish()
            }
        }
        process.terminationHandler = { _ in found.finish() }
        try process.run()
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

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension GatehouseProcess {
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
