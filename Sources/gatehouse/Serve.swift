import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the gateway until SIGTERM or SIGINT; SIGHUP reloads the configuration file.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "Listen on this port instead of server.port.")
    var port: Int?

    @Option(name: .long, help: "json (one object per line, the default) or text.")
    var logFormat: LogFormat = .json

    func run() async throws {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        logFormat.bootstrap(level: level)
        let logger = Logger(label: "gatehouse")
        let config = try ConfigFile.load(options.config)
        let app = try await GatehouseApplication.make(config: config, port: port, logger: logger, configPath: options.config)
        let pidFile = PIDFile(stateDirectory: config.stateDirectory)
        pidFile.write()
        defer { pidFile.remove() }
        var group = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // In-flight requests get the grace; whatever is still running after it is cancelled.
        group.maximumGracefulShutdownDuration = .seconds(config.server.shutdownGraceSeconds)
        group.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: group).run()
        logger.info("stopped")
    }
}

extension LogFormat: ExpressibleByArgument {}

/// `<stateDirectory>/gatehouse.pid`: where `gatehouse reload` finds the running server.
struct PIDFile {
    let path: String

    init(stateDirectory: String) {
        path = (stateDirectory as NSString).appendingPathComponent("gatehouse.pid")
    }

    func write() {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: path))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    var pid: Int32? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
