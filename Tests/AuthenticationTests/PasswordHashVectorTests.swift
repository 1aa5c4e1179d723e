import Foundation
import Testing

@testable import Authentication

/// Hashes made by Python's `bcrypt`, passlib and `hashlib` verify here.
@Suite struct PasswordHashVectorTests {
    @Test func vectorFileHasSeveralHashesOfEveryScheme() {
        for scheme in PasswordHashScheme.allCases {
            #expect(HashVectors.of(scheme).count >= 4, "\(scheme)")
        }
        #expect(HashVectors.of(.bcrypt).contains { $0.hash.hasPrefix("$2a$") })
        #expect(HashVectors.of(.bcrypt).contains { $0.hash.hasPrefix("$2y$") })
        #expect(HashVectors.of(.bcrypt).contains { $0.hash.hasPrefix("$2b$") })
    }

    @Test(arguments: HashVectors.everyVector)
    func independentHashIsRecognisedAsItsScheme(scheme: PasswordHashScheme, vector: HashVector) throws {
        let hash = try #require(PasswordHash(parsing: vector.hash))
        #expect(hash.scheme == scheme)
    }

    @Test(arguments: HashVectors.everyVector)
    func independentHashVerifiesItsPassword(scheme: PasswordHashScheme, vector: HashVector) throws {
        let hash = try #require(PasswordHash(parsing: vector.hash))
        #expect(hash.verify(vector.password))
    }

    @Test(arguments: HashVectors.everyVector)
    func independentHashRefusesAWrongPassword(scheme: PasswordHashScheme, vector: HashVector) throws {
        let hash = try #require(PasswordHash(parsing: vector.hash))
        #expect(!hash.verify(vector.password + "x"))
        #expect(!hash.verify(String(vector.password.dropLast())))
        #expect(!hash.verify(vector.password.uppercased() == vector.password ? "nope" : vector.password.uppercased()))
    }

    @Test func unicodePasswordVerifiesInEveryScheme() throws {
        let unicode = "pässwörd-Ω-密码-🔑"
        for scheme in PasswordHashScheme.allCases {
            let vector = try #require(HashVectors.of(scheme).first { $0.password == unicode }, "\(scheme)")
            #expect(try #require(PasswordHash(parsing: vector.hash)).verify(unicode), "\(scheme)")
        }
    }

    @Test func unicodePasswordInAnotherNormalisationDoesNotVerify() throws {
        // "ä" as "a" + combining diaeresis: the same text to a reader, other bytes to every scheme.
        let vector = try #require(HashVectors.of(.pbkdf2Sha256).first { $0.password.contains("ä") })
        let decomposed = vector.password.replacingOccurrences(of: "ä", with: "a\u{0308}")
        #expect(Array(decomposed.utf8) != Array(vector.password.utf8))
        #expect(try #require(PasswordHash(parsing: vector.hash)).verify(decomposed) == false)
    }
}
