import ArgumentParser
import GatehouseCore
import GatehouseServer

/// Validates a configuration file and prints what it describes.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate a configuration file, naming the key of every mistake.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try ConfigFile.loadValidated(options.config)
        print("\(options.config): OK")
        print(ConfigSummary(config).text)
    }
}
