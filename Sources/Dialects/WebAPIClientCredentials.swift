import GatehouseCore

/// One member of a bound body, before validation.
enum WebAPIField: Sendable, Equatable {
    case absent
    case string(String)
    /// Present, but not something Json.NET would bind to `System.String` (a number, an object…).
    case notString
}

/// Seed 002's `ClientCredentials`, bound from JSON, XML or a form, and validated the way its
/// data annotations do (`[Required]`, `[RegularExpression]`, the grant type check).
struct WebAPIClientCredentials: Sendable, Equatable {
    var grantType: WebAPIField
    var clientID: WebAPIField
    var clientSecret: WebAPIField

    /// The body's media types Web API has formatters for, by the format each one carries.
    enum BodyFormat { case json, xml, form }

    static func bodyFormat(_ mediaType: String) -> BodyFormat? {
        switch mediaType {
        case "application/json", "text/json": .json
        case "application/xml", "text/xml": .xml
        case "application/x-www-form-urlencoded": .form
        default: nil
        }
    }

    /// Binds a body: JSON members and form keys match without regard to case, as Json.NET and
    /// Web API's form binder do; the first occurrence of a form key wins.
    static func read(_ body: [UInt8], as format: BodyFormat) -> Result<WebAPIClientCredentials, WebAPIHttpError> {
        switch format {
        case .xml:
            return WebAPIXML.readCredentials(body)
        case .form:
            let pairs = parseFormEncoded(Substring(String(decoding: body, as: UTF8.self)))
            func field(_ name: String) -> WebAPIField {
                pairs.first { $0.0.lowercased() == name }.map { .string($0.1) } ?? .absent
            }
            return .success(WebAPIClientCredentials(
                grantType: field("grant_type"), clientID: field("client_id"), clientSecret: field("client_secret")))
        case .json:
            guard let document = JSONValue.parse(body) else { return .failure(.invalidBody("The request body is not valid JSON.")) }
            guard case .object = document else { return .failure(.invalidBody("The request body must be a JSON object.")) }
            func field(_ name: String) -> WebAPIField {
                switch document.member(caseInsensitive: name) {
                case nil, .null?: .absent
                case .string(let text)?: .string(text)
                default: .notString
                }
            }
            return .success(WebAPIClientCredentials(
                grantType: field("grant_type"), clientID: field("client_id"), clientSecret: field("client_secret")))
        }
    }

    /// The login and secret, or 400 with every problem in member order (grant_type, client_id, client_secret).
    func validated() -> Result<(login: String, secret: String), WebAPIHttpError> {
        var problems: [(key: String, messages: [String])] = []
        let grant = Self.check(grantType, "grant_type", &problems)
        if let grant, grant != "password" {
            problems.append((key: "credentials.grant_type", messages: ["grant_type must be password"]))
        }
        let login = Self.check(clientID, "client_id", &problems)
        if let login, !isEmailAddress(login) {
            problems.append((
                key: "credentials.client_id",
                messages: ["The field client_id must match the regular expression '\(emailPattern)'."]))
        }
        let secret = Self.check(clientSecret, "client_secret", &problems)
        guard problems.isEmpty, let login, let secret else { return .failure(.invalid(problems)) }
        return .success((login: login, secret: secret))
    }

    /// The string value of a required member, or nil after recording why it is unusable.
    /// `[Required]` refuses empty and all-whitespace strings (AllowEmptyStrings is false by default).
    private static func check(
        _ field: WebAPIField, _ name: String, _ problems: inout [(key: String, messages: [String])]
    ) -> String? {
        switch field {
        case .string(let text) where !text.allSatisfy(\.isWhitespace):
            return text
        case .absent, .string:
            problems.append((key: "credentials.\(name)", messages: ["The \(name) field is required."]))
        case .notString:
            problems.append((
                key: "credentials.\(name)", messages: ["Error converting value to type 'System.String'. Path '\(name)'."]))
        }
        return nil
    }
}
