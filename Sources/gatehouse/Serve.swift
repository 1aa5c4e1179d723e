import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer
import Hummingbird
import Logging

/// Runs the gateway until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "Listen on this port instead of server.port.")
    var port: Int?

    func run() async throws {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap(
            { label, metadataProvider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
                handler.logLevel = level
                return handler
            }, metadataProvider: RequestLogContext.metadataProvider)
        let config = try ConfigFile.load(options.config)
        let app = try await GatehouseApplication.make(config: config, port: port)
        try await app.runService()
    }
}
