import Dialects
import Foundation
import GatehouseCore
import Testing

/// Settings, identities and requests shared by the Web API and BaaS dialect tests.
///
/// Settings come from `GatewayConfig.parse`, so the tests also pin the defaults a deployment gets.
enum WebAPIBaaSFixtures {
    /// The seed 003 sample's key shape: type, identifier, id.
    static let apiKey = "browser api.example 525ad5d6993247cccb083e5a"

    /// `2013-11-07T12:00:00Z`, the seed 003 sample's `createdAt`.
    static let created = Date(timeIntervalSince1970: 1_383_825_600)
    /// `2014-01-02T03:04:05Z`.
    static let updated = Date(timeIntervalSince1970: 1_388_631_845)

    /// A gateway.json with the given `dialects` object and one local user.
    static func config(dialects: String = "{}") throws -> GatewayConfig {
        let document = """
            {"dialects": \(dialects),
             "authenticators": [{"name": "local", "type": "local", "users": [
               {"id": 1, "username": "ann", "email": "ann@example.com", "passwordHash": "$2b$10$abcdefghijklmnopqrstuu"}]}]}
            """
        return try GatewayConfig.parse(Array(document.utf8))
    }

    static func webAPI(_ settings: String = "{}") throws -> WebAPIDialect {
        WebAPIDialect(settings: try config(dialects: #"{"webapi": \#(settings)}"#).dialects.webapi)
    }

    static func baas(_ settings: String = #"{"apiKeys": ["browser api.example 525ad5d6993247cccb083e5a"]}"#) throws -> BaaSDialect {
        BaaSDialect(settings: try config(dialects: #"{"baas": \#(settings)}"#).dialects.baas)
    }

    /// The seed 003 sample user, every member filled in.
    static let fullIdentity = Identity(
        subject: "a564ef59-085b-4803-b514-37288e32709e", numericID: 7, userName: "ann", displayName: "Ann",
        email: EmailAddresses(
            primary: "primary@email.com", secondary: "secondary@email.com", work: "work@email.com", other: "other@email.com"),
        name: PersonName(
            prefix: "prefix", firstName: "first name", middleName: "middle name", lastName: "last name",
            maidenName: "maiden name", suffix: "jr"),
        extras: ["extra2": "value2", "extra1": "value1"], active: false, createdAt: created, updatedAt: updated,
        authenticator: "local")

    /// A user with nothing but the required members.
    static let bareIdentity = Identity(
        subject: "0f8fad5b-d9cb-469f-a165-70867728950e", userName: "bob", createdAt: created, updatedAt: created,
        authenticator: "local")

    static func grant(_ identity: Identity, dialect: DialectID) -> Grant {
        Grant(
            id: "grant-1", identity: identity, dialect: dialect, issuedAt: created, expiresAt: created.addingTimeInterval(3600),
            persistent: false)
    }

    /// A request with headers given as pairs and a UTF-8 body.
    static func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: String = "", tooLarge: Bool = false
    ) -> WireRequest {
        WireRequest(
            method: method, path: path, headers: WireHeaders(headers), body: Array(body.utf8), bodyTooLarge: tooLarge,
            remoteAddress: "10.0.0.9")
    }

    /// The ready answer of a call that needs no work, or nil.
    static func response(_ call: DialectCall?) -> WireResponse? {
        guard case .respond(let response)? = call?.action else { return nil }
        return response
    }

    /// Headers as plain pairs, for exact comparison.
    static func pairs(_ headers: WireHeaders) -> [String] {
        headers.map { "\($0.name): \($0.value)" }
    }
}
