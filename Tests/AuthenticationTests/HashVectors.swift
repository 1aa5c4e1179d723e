import Foundation
import Testing

@testable import Authentication

/// One (password, hash) pair made by an independent implementation (see `Vectors/generate.py`).
struct HashVector: Decodable, Sendable, CustomTestStringConvertible {
    var password: String
    var hash: String

    var testDescription: String { hash }
}

/// `Vectors/hashes.json`, grouped by `PasswordHashScheme.rawValue`.
enum HashVectors {
    static let all: [String: [HashVector]] = load()

    static func of(_ scheme: PasswordHashScheme) -> [HashVector] { all[scheme.rawValue] ?? [] }

    /// Every vector with its scheme, for parameterised tests.
    static var everyVector: [(PasswordHashScheme, HashVector)] {
        PasswordHashScheme.allCases.flatMap { scheme in of(scheme).map { (scheme, $0) } }
    }

    private static func load() -> [String: [HashVector]] {
        guard let url = Bundle.module.url(forResource: "hashes", withExtension: "json", subdirectory: "Vectors"),
            let data = try? Data(contentsOf: url),
            let vectors = try? JSONDecoder().decode([String: [HashVector]].self, from: data)
        else { return [:] }
        return vectors
    }
}
