import Testing

@testable import Authentication

/// Stored text that is not a well-formed hash is refused by `init?(parsing:)`, never trapped on.
@Suite struct PasswordHashParsingTests {
    /// A bcrypt hash of "correct horse battery staple" by Python's `bcrypt`, cost 4.
    static let bcrypt = "$2b$04$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u"
    /// A passlib `pbkdf2_sha256` hash of "correct horse battery staple", 1000 rounds.
    static let pbkdf2 = "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo"

    static let garbage: [String] = [
        "",
        "not a hash",
        "password",
        "$",
        // bcrypt: truncated, unknown minor, cost out of range or not digits, bad alphabet, too long.
        String(bcrypt.dropLast()),
        bcrypt + "A",
        "$2x$04$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u",
        "$2b$03$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u",
        "$2b$32$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u",
        "$2b$x4$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u",
        "$2b$٠٤$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8u",
        "$2b$04$h1xK6A7Ii4awvj16XL5qH+MGVuO+Sk/cPjpX7DosYbdES5Rj22/8u",
        "$2b$04$h1xK6A7Ii4awvj16XL5qH.MGVuO.Sk/cPjpX7DosYbdES5Rj22/8ü",
        // passlib: missing fields, zero, padded or overflowing rounds, bad base64, short checksum, empty salt.
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw",
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw$",
        "$pbkdf2-sha256$$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$0$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$01000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$-1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$4294967296$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$99999999999999999999$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD+B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw==$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFko",
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FF",
        "$pbkdf2-sha256$1000$$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        "$pbkdf2-sha256$1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo$extra",
        "$pbkdf2-sha512$1000$/v9fq3VOyRnD.B9DyNlbiw$AOI1k9NaS4bO5/rgpu7S7ZCOfx6VgFsGEa40d6FFkoo",
        // ASP.NET Identity: bad base64, V2 of the wrong length, unknown version marker.
        "AQAAAAIAAAPoAAAAEBERERERERERERERERERERE!",
        "AQAA",
        "ABEREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi",
        "ABEREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
        "AhEREREREREREREREREREREREREREREREREREREREREREREREREREREREREREREREQ==",
        // V3: header only, salt length larger than the data (small and 2^32-1), subkey under
        // 128 bits, salt under 128 bits, 0 iterations, unknown PRF 3.
        "AQAAAAEAAAPoAAAAEA==",
        "AQAAAAIAAAPoAAAAQBEREREREREREREREREREREREREREREREREREREREREREREREREREREREREREREREQ==",
        "AQAAAAIAAAPo/////xEREREREREREREREREREREREREREREREREREREREREREREREREREREREREREREREQ==",
        "AQAAAAIAAAPoAAAAEBEREREREREREREREREREREiIiIiIiIiIiIi",
        "AQAAAAEAAAPoAAAACBERERERERERIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
        "AQAAAAIAAAAAAAAAEBEREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIg==",
        "AQAAAAMAAAPoAAAAEBEREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIg==",
    ]

    @Test(arguments: garbage)
    func malformedStoredTextIsRefused(_ stored: String) {
        #expect(PasswordHash(parsing: stored) == nil)
    }

    @Test func wellFormedV3WithTheSameLayoutIsAccepted() throws {
        // The control for the V3 cases above: PRF 2, 1000 iterations, 16-byte salt, 32-byte subkey.
        let stored = "AQAAAAIAAAPoAAAAEBEREREREREREREREREREREiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIg=="
        let hash = try #require(PasswordHash(parsing: stored))
        #expect(hash.scheme == .aspnetV3)
        #expect(hash.verify("anything") == false)
    }

    @Test func twoYAndTwoAPrefixesAreReadAsBcrypt() throws {
        let tail = Self.bcrypt.dropFirst(4)
        #expect(try #require(PasswordHash(parsing: "$2y$" + tail)).scheme == .bcrypt)
        #expect(try #require(PasswordHash(parsing: "$2a$" + tail)).scheme == .bcrypt)
        // Same salt and checksum under another name: the same algorithm, so the same answer.
        #expect(try #require(PasswordHash(parsing: "$2y$" + tail)).verify("correct horse battery staple"))
    }

    @Test func bcryptRefusesAPasswordWithANulByte() throws {
        // The C implementation would stop reading at the NUL and compare only "correct horse".
        let hash = try #require(PasswordHash(parsing: Self.bcrypt))
        #expect(hash.verify("correct horse battery staple\u{0}more") == false)
    }

    @Test func emptyPasswordIsVerifiedWithoutTrapping() throws {
        #expect(try #require(PasswordHash(parsing: Self.pbkdf2)).verify("") == false)
        #expect(try #require(PasswordHash(parsing: Self.bcrypt)).verify("") == false)
    }
}
