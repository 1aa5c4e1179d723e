import ArgumentParser
import Foundation
import GatehouseServer

/// `gatehouse serve | check-config | reload | hash-password | keys rotate`
@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A multi-dialect authentication gateway for legacy systems.",
        subcommands: [Serve.self, CheckConfig.self, Reload.self, HashPassword.self, Keys.self],
        defaultSubcommand: Serve.self)
}

/// Options every command that reads a configuration file shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "gateway.json"
}
