import ArgumentParser
import Authentication
import GatehouseServer

/// Reads a password on standard input and prints its hash for `passwordHash`.
struct HashPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password", abstract: "Hash a password read from standard input.")

    @Option(name: .long, help: "bcrypt, pbkdf2-sha256 or aspnet-v3.")
    var scheme: String = "bcrypt"

    func run() async throws {
        guard let chosen = PasswordHashScheme(rawValue: scheme), chosen != .aspnetV2 else {
            throw ValidationError("--scheme must be bcrypt, pbkdf2-sha256 or aspnet-v3")
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password on standard input")
        }
        print(try PasswordHash.make(line, scheme: chosen))
    }
}
