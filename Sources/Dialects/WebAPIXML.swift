import Foundation
import GatehouseCore
import XMLCoder

/// Web API's XML side, as DataContractSerializer reads and writes seed 002's types.
///
/// Reading goes through XMLCoder after the body has been vetted; writing is done by hand
/// because XMLCoder cannot emit `i:nil="true"` nor DataContractSerializer's member order, and
/// the legacy clients compare bytes.
enum WebAPIXML {
    /// DataContract namespace of `ClientCredentials` and `AuthenticationResponse`.
    static let namespace = "http://schemas.datacontract.org/2004/07/HSTS.API.Models"
    static let instanceNamespace = "http://www.w3.org/2001/XMLSchema-instance"
    static let contentType = "application/xml; charset=utf-8"
    /// The encodings an XML declaration may name: the ones whose bytes are UTF-8's for every document
    /// the checks let through (US-ASCII and ISO-8859-1 as far as ASCII goes).
    static let declarableEncodings = ["utf-8", "utf8", "us-ascii", "iso-8859-1"]

    /// `<name>text</name>`, the text escaped.
    static func element(_ name: String, _ text: String) -> String {
        "<\(name)>\(escape(text))</\(name)>"
    }

    /// Escapes text content the way XmlWriter does (`&`, `<`, `>`).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `AuthenticationResponse` on one line, no XML declaration, members by DataContract ordinal
    /// order (ordinal string comparison puts upper case before lower case).
    static func authenticationResponse(
        accessToken: String, expiresIn: Int, classVersion: Int, version: (major: Int, minor: Int, build: Int),
        apiKeyHolder: String?
    ) -> String {
        var out = "<AuthenticationResponse xmlns:i=\"\(instanceNamespace)\" xmlns=\"\(namespace)\">"
        out += apiKeyHolder.map { element("ApiKeyHolder", $0) } ?? "<ApiKeyHolder i:nil=\"true\"/>"
        out += element("ClassVer", String(classVersion))
        out += "<WebApiVersion>" + element("Build", String(version.build)) + element("Major", String(version.major))
            + element("Minor", String(version.minor)) + "</WebApiVersion>"
        out += element("access_token", accessToken)
        out += element("expires_in", String(expiresIn))
        out += element("token_type", "bearer")
        return out + "</AuthenticationResponse>"
    }

    /// Binds an XML `ClientCredentials` body, refusing anything that is not plainly that document.
    static func readCredentials(_ body: [UInt8]) -> Result<WebAPIClientCredentials, WebAPIHttpError> {
        // The DTD check below reads bytes, so only UTF-8 (without NULs, which rules out UTF-16/32)
        // is let through: another encoding could spell `<!DOCTYPE` in bytes the check cannot see.
        guard !body.contains(0), let text = String(validating: body, as: UTF8.self) else {
            return .failure(.invalidBody("The request body must be XML encoded as UTF-8."))
        }
        // A DTD is how entity expansion ("billion laughs") and external entities (XXE) get in;
        // DataContractSerializer prohibits it too, so refuse before any parser sees the body.
        let upper = text.uppercased()
        if upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY") {
            return .failure(.invalidBody("For security reasons DTD is prohibited in this XML document."))
        }
        // libxml2 reports a processing instruction without data (`<?x?>`) to Foundation's XMLParser as a
        // NULL pointer, which XMLParser reads as a C string: the process dies. A ClientCredentials document
        // has no use for one, so none but the XML declaration reaches the parser.
        if hasProcessingInstruction(body) {
            return .failure(.invalidBody("Processing instructions are not allowed in this XML document."))
        }
        guard let prolog = WebAPIXMLProlog(text) else {
            return .failure(.invalidBody("The request body is not valid XML."))
        }
        if let encoding = prolog.declaredEncoding, !declarableEncodings.contains(encoding) {
            return .failure(.invalidBody("The request body must be XML encoded as UTF-8."))
        }
        // Foundation's XMLParser leaks the error it builds for every libxml2 parse error, so only a
        // document libxml2 reads without one may reach it.
        guard WebAPIXMLShape.isWellFormed(body) else {
            return .failure(.invalidBody("The request body is not valid XML."))
        }
        let decoded: WebAPIXMLCredentials
        do {
            decoded = try XMLDecoder().decode(WebAPIXMLCredentials.self, from: Data(body))
        } catch {
            return .failure(.invalidBody("The request body is not valid XML."))
        }
        guard prolog.rootName == "ClientCredentials", decoded.namespace == namespace else {
            return .failure(.invalidBody("Expecting element 'ClientCredentials' from namespace '\(namespace)'."))
        }
        return .success(decoded.credentials)
    }

    /// Whether `body` holds a `<?` other than the XML declaration, which may only open the document
    /// (after a byte order mark). Byte-wise, as libxml2 reads it; a `<?` inside a comment or a CDATA
    /// section counts too, which no DataContractSerializer client writes.
    static func hasProcessingInstruction(_ body: [UInt8]) -> Bool {
        var rest = body[...]
        if rest.starts(with: WebAPIXMLShape.byteOrderMark) { rest = rest.dropFirst(WebAPIXMLShape.byteOrderMark.count) }
        let declaration = Array("<?xml".utf8)
        // The declaration ends at its first `?>`, with no markup before it: `<?xml --><a><?x?>` is not one.
        if rest.starts(with: declaration), rest.dropFirst(declaration.count).first.map(WebAPIXMLShape.isSpace) == true,
            let end = rest.firstRange(of: Array("?>".utf8)),
            !rest[(rest.startIndex + declaration.count)..<end.lowerBound].contains(UInt8(ascii: "<"))
        {
            rest = rest[end.upperBound...]
        }
        return rest.firstRange(of: Array("<?".utf8)) != nil
    }
}

/// The part of an XML document before its root element: the declaration's encoding and the
/// root's (unprefixed) name. XMLCoder drops the root's name, so it is read here.
struct WebAPIXMLProlog {
    var declaredEncoding: String?
    var rootName: Substring

    /// nil when no root start tag follows the declaration, comments and processing instructions.
    init?(_ text: String) {
        var rest = Substring(text)
        if rest.first == "\u{FEFF}" { rest = rest.dropFirst() }
        var encoding: String?
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.hasPrefix("<?") {
                guard let end = rest.range(of: "?>") else { return nil }
                if rest.hasPrefix("<?xml") { encoding = Self.encoding(in: rest[..<end.lowerBound]) }
                rest = rest[end.upperBound...]
            } else if rest.hasPrefix("<!--") {
                guard let end = rest.range(of: "-->") else { return nil }
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        guard rest.first == "<" else { return nil }
        let name = rest.dropFirst().prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }
        guard !name.isEmpty else { return nil }
        declaredEncoding = encoding
        rootName = name
    }

    /// The lower-cased value of `encoding="…"` in an XML declaration.
    private static func encoding(in declaration: Substring) -> String? {
        guard let key = declaration.range(of: "encoding") else { return nil }
        let afterKey = declaration[key.upperBound...].drop { $0.isWhitespace || $0 == "=" }
        guard let quote = afterKey.first, quote == "\"" || quote == "'" else { return nil }
        return String(afterKey.dropFirst().prefix { $0 != quote }).lowercased()
    }
}

/// `ClientCredentials` as XMLCoder sees it: elements in any order, the root's `xmlns` attribute
/// alongside them (namespaces are not processed, so the declaration stays an attribute).
private struct WebAPIXMLCredentials: Decodable {
    var namespace: String?
    var credentials: WebAPIClientCredentials

    enum CodingKeys: String, CodingKey {
        case namespace = "xmlns"
        case grantType = "grant_type"
        case clientID = "client_id"
        case clientSecret = "client_secret"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        namespace = try? container.decodeIfPresent(String.self, forKey: .namespace)
        credentials = WebAPIClientCredentials(
            grantType: Self.field(container, .grantType),
            clientID: Self.field(container, .clientID),
            clientSecret: Self.field(container, .clientSecret))
    }

    /// An empty element (`<client_id/>`, or `i:nil="true"`) binds as absent; child elements are not a string.
    private static func field(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> WebAPIField {
        guard container.contains(key) else { return .absent }
        if let text = try? container.decode(String.self, forKey: key), !text.isEmpty { return .string(text) }
        // XMLCoder reads an element holding child elements as an empty string, where DataContractSerializer
        // refuses it. Its keys mix children and attributes (`i:nil`, `xmlns…`), and an empty element
        // lists its own name: anything else is a child element.
        let isChild = { (name: String) in
            !name.isEmpty && name != key.stringValue && !name.contains(":") && !name.hasPrefix("xmlns")
        }
        if let inner = try? container.nestedContainer(keyedBy: AnyElement.self, forKey: key),
            inner.allKeys.contains(where: { isChild($0.stringValue) })
        {
            return .notString
        }
        return .absent
    }

    /// Any child element's name.
    private struct AnyElement: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
