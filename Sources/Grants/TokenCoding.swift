import Foundation
import JWTKit

/// JSON coders for the JWTs Gatehouse signs and reads.
enum TokenCoding {
    /// NumericDate as whole seconds (RFC 7519 §2): ServiceStack and .NET clients parse `exp` as an integer.
    static var serializer: DefaultJWTSerializer {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .integerSecondsSince1970
        encoder.outputFormatting = .withoutEscapingSlashes
        return DefaultJWTSerializer(jsonEncoder: encoder)
    }

    /// Accepts fractional NumericDates too: partners' libraries write them.
    static var parser: DefaultJWTParser {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return DefaultJWTParser(jsonDecoder: decoder)
    }

    /// `iat` for a token minted at `date`: NumericDates are whole seconds, so lifetimes are
    /// added to the truncated time and `exp - iat` is exactly the configured lifetime.
    static func numericDate(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}
