import ArgumentParser
import Foundation
import GatehouseServer
import Logging

/// `gatehouse keys rotate`: key management.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the keys that sign JWTs and seal cookies.", subcommands: [Rotate.self])

    /// Adds a new active signing key and sealing key; the ones in use keep verifying until what they made has expired.
    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new signing key and sealing key; the old ones verify until their last artifact expires.")

        @OptionGroup var options: ConfigOption

        func run() async throws {
            let config = try ConfigFile.load(options.config)
            var logger = Logger(label: "gatehouse.keys")
            logger.logLevel = .error
            let report: KeyRotation.Report
            do {
                report = try await KeyRotation.rotate(config, logger: logger)
            } catch {
                FileHandle.standardError.write(Data("gatehouse keys rotate: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let time = Date.ISO8601FormatStyle()
            print("new signing key \(report.newKeyID): published now, signs from \(report.activatesAt.formatted(time))")
            print("previous signing key \(report.previousKeyID): verifies until \(report.previousVerifiesUntil.formatted(time))")
        }
    }
}
