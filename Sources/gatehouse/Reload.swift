import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseServer

/// Validates the file, then asks the running `gatehouse serve` (found by its pid file under
/// `stateDirectory`) to reload it with SIGHUP. A bad file is reported here and nothing is sent.
struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate the configuration file and make the running gateway reload it (SIGHUP).")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try ConfigFile.loadValidated(options.config)
        let pidFile = PIDFile(stateDirectory: config.stateDirectory)
        guard let pid = pidFile.pid, pid > 0, kill(pid, 0) == 0 else {
            throw ValidationError("no running gatehouse found (\(pidFile.path))")
        }
        guard kill(pid, SIGHUP) == 0 else { throw ValidationError("could not signal process \(pid)") }
        print("\(options.config): OK; asked process \(pid) to reload")
    }
}
