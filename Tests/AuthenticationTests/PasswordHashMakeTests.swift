import Foundation
import Testing

@testable import Authentication

/// `PasswordHash.make` writes hashes in each scheme's stored format with the documented defaults.
@Suite struct PasswordHashMakeTests {
    static let password = "Tr0ub4dor&3 ünïcødé"

    @Test(arguments: [PasswordHashScheme.bcrypt, .pbkdf2Sha256, .aspnetV3])
    func madeHashVerifiesItsPasswordOnly(scheme: PasswordHashScheme) throws {
        let stored = try PasswordHash.make(Self.password, scheme: scheme)
        let hash = try #require(PasswordHash(parsing: stored))
        #expect(hash.scheme == scheme)
        #expect(hash.verify(Self.password))
        #expect(!hash.verify(Self.password + " "))
    }

    @Test func twoHashesOfOnePasswordDifferByTheirSalt() throws {
        let first = try PasswordHash.make(Self.password, scheme: .aspnetV3)
        let second = try PasswordHash.make(Self.password, scheme: .aspnetV3)
        #expect(first != second)
    }

    @Test func bcryptIsMadeAsTwoBWithCostTwelve() throws {
        let stored = try PasswordHash.make(Self.password, scheme: .bcrypt)
        #expect(stored.hasPrefix("$2b$12$"))
        #expect(stored.count == 60)
    }

    @Test func pbkdf2IsMadeInPasslibFormatWith600000Rounds() throws {
        let stored = try PasswordHash.make(Self.password, scheme: .pbkdf2Sha256)
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 5)
        #expect(fields[1] == "pbkdf2-sha256")
        #expect(fields[2] == "600000")
        #expect(fields[3].count == 22)  // 16 bytes, unpadded
        #expect(fields[4].count == 43)  // 32 bytes, unpadded
        #expect(!stored.contains("+") && !stored.contains("="))
    }

    @Test func aspnetV3IsMadeWithAspNetCore7Defaults() throws {
        let stored = try PasswordHash.make(Self.password, scheme: .aspnetV3)
        let bytes = try #require(Data(base64Encoded: stored).map(Array.init))
        #expect(bytes.count == 13 + 16 + 32)
        #expect(Array(bytes[0..<13]) == [0x01, 0, 0, 0, 2, 0, 0x01, 0x86, 0xA0, 0, 0, 0, 16])
    }

    @Test func aspnetV2IsRefusedAsLegacy() {
        #expect(throws: PasswordHashError.legacyScheme(.aspnetV2)) {
            try PasswordHash.make(Self.password, scheme: .aspnetV2)
        }
    }

    @Test(arguments: HashVectors.everyVector)
    func decoyKeepsTheParametersButNotThePassword(scheme: PasswordHashScheme, vector: HashVector) throws {
        let hash = try #require(PasswordHash(parsing: vector.hash))
        let decoy = try hash.decoy()
        #expect(decoy.scheme == hash.scheme)
        #expect(decoy.costParameters == hash.costParameters)
        #expect(!decoy.verify(vector.password))
    }
}
