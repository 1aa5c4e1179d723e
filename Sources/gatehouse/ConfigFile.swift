import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer

/// Reading the configuration file, with every mistake printed as `file: key.path: message`.
enum ConfigFile {
    static func load(_ path: String) throws -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        do {
            return try GatewayConfig.parse(Array(data))
        } catch {
            throw report(error, file: path)
        }
    }

    /// `load`, then everything `Gateway.validate` checks; every mistake printed.
    static func loadValidated(_ path: String) throws -> GatewayConfig {
        let config = try load(path)
        do {
            try Gateway.validate(config)
        } catch {
            throw report(error, file: path)
        }
        return config
    }

    /// Prints every issue on standard error and gives the exit code for a bad file.
    static func report(_ error: ConfigError, file: String) -> ExitCode {
        for issue in error.issues {
            FileHandle.standardError.write(Data("\(file): \(issue.path): \(issue.message)\n".utf8))
        }
        FileHandle.standardError.write(Data("\(file): \(error.issues.count) problem(s)\n".utf8))
        return ExitCode(1)
    }
}
