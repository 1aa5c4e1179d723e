import GatehouseCore
import Testing

@testable import Dialects

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

private typealias F = WebAPIBaaSFixtures

/// The XML well-formedness check that keeps libxml2 parse errors (and the memory Foundation's XMLParser
/// leaks with each) away from the parser.
@Suite("Web API XML shape")
struct WebAPIXMLShapeTests {
    private static let ns = "http://schemas.datacontract.org/2004/07/HSTS.API.Models"
    private static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    private static let notXML = #"{"Message":"The request is invalid.","ModelState":{"credentials":["The request body is not valid XML."]}}"#
    private static let root = "<ClientCredentials xmlns=\"\(ns)\">"
    private static let fields = "<grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret>s3cret</client_secret>"

    private func decode(_ body: [UInt8]) throws -> DialectCall? {
        try F.webAPI().decode(WireRequest(
            method: "POST", path: "/api/Account/SignIn",
            headers: WireHeaders([("Content-Type", "application/xml"), ("User-Agent", "HSTS/1.0")]), body: body,
            remoteAddress: "10.0.0.9"))
    }

    // MARK: through the dialect

    /// Each breaks one rule; every one of them is a libxml2 parse error (see `libxml2ReportsEveryRefusedRule`).
    @Test(arguments: [
        // The three bodies whose leak was measured.
        "<a></b>",
        "<ClientCredentials><client_id>a</client_id>",
        "<<<<",
        "\(root)\(fields)</ClientCredentials><ClientCredentials/>",
        "\(root)\(fields)</ClientCredentials>trailing",
        "leading\(root)\(fields)</ClientCredentials>",
        "\(root)<grant_type>password</client_id></ClientCredentials>",
        "\(root)<grant_type>pass<word</grant_type></ClientCredentials>",
        "\(root)<grant_type>pass&word</grant_type></ClientCredentials>",
        "\(root)<grant_type>&nbsp;</grant_type></ClientCredentials>",
        "\(root)<grant_type>&#0;</grant_type></ClientCredentials>",
        "\(root)<grant_type>&#xD800;</grant_type></ClientCredentials>",
        "\(root)<grant_type>&#x110000;</grant_type></ClientCredentials>",
        "\(root)<grant_type>&#99999999999999999999;</grant_type></ClientCredentials>",
        "\(root)<grant_type>a]]>b</grant_type></ClientCredentials>",
        "\(root)<grant_type>\u{01}</grant_type></ClientCredentials>",
        "\(root)<grant_type>\u{FFFE}</grant_type></ClientCredentials>",
        "\(root)<!-- a -- b -->\(fields)</ClientCredentials>",
        "\(root)<!-- a --->\(fields)</ClientCredentials>",
        "\(root)<!-- unclosed \(fields)</ClientCredentials>",
        "\(root)<grant_type><![CDATA[password</grant_type></ClientCredentials>",
        "<![CDATA[x]]>\(root)\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\(ns)>\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\"a=\"1\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" a=\"1\" a=\"2\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" a>\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" a=\"<\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" a=\"&\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\">\(fields)</ClientCredentials>",
        "\(root)<i:grant_type>password</i:grant_type></ClientCredentials>",
        "\(root)<grant_type i:nil=\"true\"/></ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" xmlns:i=\"\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"relative/path\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"http://a:b/\">\(fields)</ClientCredentials>",
        "<ClientCredentials xmlns=\"\(ns)\" xmlns:xml=\"urn:x\">\(fields)</ClientCredentials>",
        "\(root)<1grant_type>password</1grant_type></ClientCredentials>",
        "\(root)<p:q:grant_type xmlns:p=\"urn:x\">password</p:q:grant_type></ClientCredentials>",
        "\(root)<:grant_type>password</:grant_type></ClientCredentials>",
        "<?xml version=\"1.1\"?>\(root)\(fields)</ClientCredentials>",
        "<?xml encoding=\"utf-8\"?>\(root)\(fields)</ClientCredentials>",
        "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"utf-8\"?>\(root)\(fields)</ClientCredentials>",
        "<?xml version=\"1.0\" standalone=\"maybe\"?>\(root)\(fields)</ClientCredentials>",
        "<?xml version=\"1.0\" encoding=\"us-ascii\"?>\(root)<grant_type>pässword</grant_type></ClientCredentials>",
        String(repeating: "<a>", count: 65) + String(repeating: "</a>", count: 65),
        "<ClientCredentials xmlns=\"\(ns)\"" + (0..<17).map { " a\($0)=\"1\"" }.joined() + ">\(fields)</ClientCredentials>",
    ])
    func malformedXMLIsRefusedBeforeTheParser(body: String) throws {
        let response = try #require(F.response(try decode(Array(body.utf8))))
        #expect(response.status == 400)
        #expect(response.text == Self.notXML)
    }

    @Test(arguments: [
        ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\(root)\(fields)</ClientCredentials>", "s3cret"),
        ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\(root)\(fields)</ClientCredentials>", "s3cret"),
        ("\u{FEFF}<?xml version=\"1.0\"?>\(root)\(fields)</ClientCredentials>", "s3cret"),
        ("\u{FEFF}\(root)\(fields)</ClientCredentials>", "s3cret"),
        ("<!-- sign in -->\n\(root)<!-- - -->\(fields)<!---->\n</ClientCredentials>\n<!-- end -->\n", "s3cret"),
        ("\(root)<grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret><![CDATA[a<b&c]]></client_secret></ClientCredentials>",
         "a<b&c"),
        ("\(root)<grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret>x&amp;&#x41;&#65;&lt;&gt;&apos;&quot;</client_secret></ClientCredentials>",
         "x&AA<>'\""),
        ("<ClientCredentials xmlns:i='\(xsi)' xmlns='\(ns)'>\(fields)<ApiKeyHolder i:nil=\"true\"/></ClientCredentials>", "s3cret"),
        ("\n  <ClientCredentials xmlns=\"\(ns)\" >\n\t<client_secret>s3cret</client_secret >\r\n  <client_id>ann@example.com</client_id>\n  <grant_type>password</grant_type>\n</ClientCredentials >\n",
         "s3cret"),
        ("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\(root)\(fields)</ClientCredentials>", "s3cret"),
    ])
    func wellFormedDataContractBodiesStillBind(body: String, secret: String) throws {
        let call = try #require(try decode(Array(body.utf8)))
        #expect(call.action == .signIn(SignInRequest(
            credential: .password(login: "ann@example.com", secret: secret), remember: false, dialect: .webapi,
            client: ClientContext(address: "10.0.0.9", userAgent: "HSTS/1.0"))))
    }

    @Test func nilMemberStillBindsAsAbsent() throws {
        let body = "<ClientCredentials xmlns:i=\"\(Self.xsi)\" xmlns=\"\(Self.ns)\"><client_id>ann@example.com</client_id><client_secret i:nil=\"true\"/><grant_type>password</grant_type></ClientCredentials>"
        let response = try #require(F.response(try decode(Array(body.utf8))))
        #expect(response.status == 400)
        #expect(response.text == #"{"Message":"The request is invalid.","ModelState":{"credentials.client_secret":["The client_secret field is required."]}}"#)
    }

    // MARK: against libxml2

    /// One input per rule the checker enforces, each of which libxml2 reports through XMLParser.
    private static let libxml2Errors = [
        "<a></b>", "<<<<", "<a/><b/>", "<a/>x", "x<a/>", "<a>&foo;</a>", "<a>a & b</a>", "<a>&#1;</a>",
        "<a>&#xFFFE;</a>", "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>x]]>y</a>", "<a>\u{01}</a>", "<a>\u{FFFF}</a>",
        "<!-- a -- b --><a/>", "<!-- a ---><a/>", "<![CDATA[x]]><a/>", "<a b=1/>", "<a b/>", "<a b=\"1\"c=\"2\"/>",
        "<a b=\"<\"/>", "<a b=\"&\"/>", "<a b=\"1\" b=\"2\"/>", "<a xmlns:p=\"u:x\" xmlns:q=\"u:x\" p:b=\"1\" q:b=\"2\"/>",
        "<p:a/>", "<a p:b=\"1\"/>", "<xmlns:a/>", "<a xmlns:p=\"\"/>", "<a xmlns=\"foo\"/>", "<a xmlns:xml=\"u:x\"/>",
        "<a xmlns:xmlns=\"u:x\"/>", "<1a/>", "<.a/>", "<:a/>", "<a:/>", "<p:q:a xmlns:p=\"u:x\"/>",
        " <?xml version=\"1.0\"?><a/>", "<?xml version=\"1.1\"?><a/>", "<?xml encoding=\"utf-8\"?><a/>",
        "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"utf-8\"?><a/>", "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
        "<?xml version=\"1.0\" encoding=\"us-ascii\"?><a>é</a>", "<?xml version=\"1.0\" encoding=\"bogus\"?><a/>",
    ]

    @Test(arguments: libxml2Errors)
    func libxml2ReportsEveryRefusedRule(input: String) {
        #expect(!XMLParserProbe.parsesCleanly(Array(input.utf8)))
        #expect(!WebAPIXMLShape.isWellFormed(Array(input.utf8)))
    }

    /// Inputs the checker may refuse although libxml2 reads them cleanly (it is stricter where no client loses),
    /// and inputs it must accept; whatever it accepts, libxml2 must read without error.
    private static let tricky = [
        // libxml2 (through XMLParser) reports no error for a document cut short right after its root's start tag.
        "<a>", "", "<a/>", "<a></a >", "<a b = 'x' />", "<a>x>y</a>", "<a><![CDATA[<&]]></a>", "<a>&#x41;&#65;&#x10FFFF;</a>",
        "<a>\u{85}\u{D7FF}\u{E000}\u{FFFD}\u{10000}</a>", "<!-- a - b --><a/><!-- z -->", "\u{FEFF}<a/>",
        "<?xml version=\"1.0\" encoding=\"utf8\"?><a/>", "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>é\u{85}</a>",
        "<p:a xmlns:p=\"urn:x\" p:b=\"1\"/>", "<a xml:lang=\"en\"/>", "<a xmlns=\"\"/>", "<a xmlns=\"urn:other\"/>",
        "<a xmlns:p=\"u:x\" p:b=\"1\" b=\"2\"/>", "<a xmlns:p=\"urn:x\"><b><p:c/></b></a>", "<é/>", "<xmlns/>",
        "<a xmlns=\"http://www.w3.org/XML/1998/namespace\"/>", "<a xmlns:p=\"http://www.w3.org/2000/xmlns/\"/>",
        "<a xmlns=\"http://a:80/\"/>", "<a xmlns=\"urn:a:b\"/>", "<a xmlns=\"http://a/%41\"/>", "<a xmlns=\"http://a/ b\"/>",
        "<a xmlns=\"http://[::1]/\"/>", "<a>&#0000065;</a>", "<a>\r\n\t</a>", "<a b='\"'/>", "<a b=\"'\"/>", "<a b=\"\t\n\"/>",
        "\u{FEFF}<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a/>", "<!----><a/>", "<!---><a/>", "<a><!--></a>",
        String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64),
        "<a" + (0..<16).map { " a\($0)=\"1\"" }.joined() + "/>",
    ] + libxml2Errors

    @Test func checkerIsNeverLooserThanLibxml2() {
        for input in Self.tricky where WebAPIXMLShape.isWellFormed(Array(input.utf8)) {
            #expect(XMLParserProbe.parsesCleanly(Array(input.utf8)), "accepted: \(input.debugDescription)")
        }
    }

    @Test func checkerIsNeverLooserThanLibxml2OnDamagedDocuments() {
        let samples = [
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><ClientCredentials xmlns:i=\"\(Self.xsi)\" xmlns=\"\(Self.ns)\"><client_id>ann@example.com</client_id><client_secret i:nil=\"true\"/><grant_type>password</grant_type></ClientCredentials>",
            "\u{FEFF}<?xml version='1.0' standalone='yes'?>\n<!-- c -->\n<ClientCredentials xmlns='\(Self.ns)'>\n  <client_secret><![CDATA[a<b]]&c]]></client_secret>\n  <client_id>x&amp;&#x41;&#65;@e.com</client_id>\n</ClientCredentials>\n",
            "<p:ClientCredentials xmlns:p=\"\(Self.ns)\" xml:lang=\"en\"><p:grant_type a='1' b=\"2\">pa&lt;&gt;&apos;&quot;ss</p:grant_type></p:ClientCredentials>",
        ].map { Array($0.utf8) }
        let alphabet = Array("<>/&;#x:='\"! -[]CDATAa1\u{01}\t".utf8)
        // xorshift: deterministic, so a failure reproduces.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(truncatingIfNeeded: seed & 0x7FFF_FFFF)
        }
        for round in 0..<20_000 {
            var body = samples[round % samples.count]
            for _ in 0..<(1 + next() % 3) {
                let at = next() % body.count
                switch next() % 4 {
                case 0: body[at] = alphabet[next() % alphabet.count]
                case 1: body.insert(alphabet[next() % alphabet.count], at: at)
                case 2: if body.count > 1 { body.remove(at: at) }
                default: body[at] = UInt8(truncatingIfNeeded: next())
                }
            }
            if WebAPIXMLShape.isWellFormed(body) {
                #expect(XMLParserProbe.parsesCleanly(body), "accepted: \(String(decoding: body, as: UTF8.self).debugDescription)")
            }
        }
    }
}

/// Foundation's XMLParser (libxml2), reporting whether a document parses with no error at all.
private final class XMLParserProbe: NSObject, XMLParserDelegate {
    private var failed = false

    static func parsesCleanly(_ bytes: [UInt8]) -> Bool {
        let parser = XMLParser(data: Data(bytes))
        let probe = XMLParserProbe()
        parser.delegate = probe
        return parser.parse() && !probe.failed
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failed = true }
}
