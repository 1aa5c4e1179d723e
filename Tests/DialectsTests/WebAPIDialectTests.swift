import Dialects
import GatehouseCore
import Testing

private typealias F = WebAPIBaaSFixtures

@Suite("Web API dialect")
struct WebAPIDialectTests {
    private static let jsonHeaders = [("Content-Type", "application/json")]
    private static let validJSON = #"{"grant_type":"password","client_id":"ann@example.com","client_secret":"s3cret"}"#
    private static let expectedSignIn = SignInRequest(
        credential: .password(login: "ann@example.com", secret: "s3cret"), remember: false, dialect: .webapi,
        client: ClientContext(address: "10.0.0.9", userAgent: "HSTS/1.0"))

    private func signIn(_ contentType: String, _ body: String, path: String = "/api/Account/SignIn") throws -> DialectCall? {
        try F.webAPI().decode(
            F.request("POST", path, headers: [("Content-Type", contentType), ("User-Agent", "HSTS/1.0")], body: body))
    }

    // MARK: decoding

    @Test func jsonBodyBecomesPasswordSignIn() throws {
        let call = try #require(try signIn("application/json; charset=utf-8", Self.validJSON))
        #expect(call.action == .signIn(Self.expectedSignIn))
        #expect(call.reply.format == .json)
    }

    @Test func textJSONAndCaseInsensitiveMembersAreAccepted() throws {
        let body = #"{"GRANT_TYPE":"password","Client_Id":"ann@example.com","client_SECRET":"s3cret"}"#
        let call = try #require(try signIn("text/json", body))
        #expect(call.action == .signIn(Self.expectedSignIn))
    }

    @Test func xmlBodyInTheDataContractShapeBecomesPasswordSignIn() throws {
        let body = """
            <ClientCredentials xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models">
              <client_id>ann@example.com</client_id>
              <client_secret>s3cret</client_secret>
              <grant_type>password</grant_type>
            </ClientCredentials>
            """
        for contentType in ["application/xml", "text/xml; charset=utf-8"] {
            let call = try #require(try signIn(contentType, body))
            #expect(call.action == .signIn(Self.expectedSignIn))
        }
    }

    @Test func xmlDeclarationAndEscapedTextAreRead() throws {
        let body = #"<?xml version="1.0" encoding="utf-8"?><ClientCredentials xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models"><grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret>a&amp;b&lt;c</client_secret></ClientCredentials>"#
        let call = try #require(try signIn("application/xml", body))
        #expect(call.action == .signIn(SignInRequest(
            credential: .password(login: "ann@example.com", secret: "a&b<c"), dialect: .webapi,
            client: ClientContext(address: "10.0.0.9", userAgent: "HSTS/1.0"))))
    }

    @Test func formBodyBecomesPasswordSignIn() throws {
        let call = try #require(try signIn(
            "application/x-www-form-urlencoded", "grant_type=password&client_id=ann%40example.com&client_secret=s3cret"))
        #expect(call.action == .signIn(Self.expectedSignIn))
    }

    @Test func pathMatchesWithoutCaseAndWithTrailingSlash() throws {
        #expect(try signIn("application/json", Self.validJSON, path: "/API/account/signin")?.action == .signIn(Self.expectedSignIn))
        #expect(try signIn("application/json", Self.validJSON, path: "/api/Account/SignIn/")?.action == .signIn(Self.expectedSignIn))
    }

    @Test func otherPathsAreNotThisDialects() throws {
        #expect(try signIn("application/json", Self.validJSON, path: "/api/Account/SignOut") == nil)
        #expect(try signIn("application/json", Self.validJSON, path: "/api/Account/SignIn/x") == nil)
    }

    @Test func configuredPathReplacesTheDefault() throws {
        let dialect = try F.webAPI(#"{"path": "/v1/token/"}"#)
        let request = F.request("POST", "/v1/Token", headers: Self.jsonHeaders, body: Self.validJSON)
        #expect(dialect.decode(request) != nil)
        #expect(dialect.decode(F.request("POST", "/api/Account/SignIn", headers: Self.jsonHeaders, body: Self.validJSON)) == nil)
    }

    @Test func otherMethodsGet405WithAllowPost() throws {
        let response = try #require(F.response(try F.webAPI().decode(F.request("GET", "/api/Account/SignIn"))))
        #expect(response.status == 405)
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8", "Allow: POST"])
        #expect(response.text == #"{"Message":"The requested resource does not support http method 'GET'."}"#)
    }

    @Test func oversizedBodyGets413() throws {
        let request = F.request("POST", "/api/Account/SignIn", headers: Self.jsonHeaders, tooLarge: true)
        let response = try #require(F.response(try F.webAPI().decode(request)))
        #expect(response.status == 413)
        #expect(response.text == #"{"Message":"The request entity is too large."}"#)
    }

    // MARK: content negotiation

    @Test(arguments: [
        (nil, ReplyStyle.Format.json),
        ("*/*", .json),
        ("text/html", .json),
        ("application/xml", .xml),
        ("text/xml", .xml),
        ("application/json, application/xml", .json),
        ("application/xml, application/json", .xml),
        ("text/html, */*; q=0.8, text/xml", .xml),
        ("application/json;q=0.5, application/xml", .xml),
        ("application/xml;q=0, application/json", .json),
    ] as [(String?, ReplyStyle.Format)])
    func acceptPicksTheFormat(accept: String?, format: ReplyStyle.Format) throws {
        var headers = Self.jsonHeaders
        if let accept { headers.append(("Accept", accept)) }
        let call = try #require(try F.webAPI().decode(F.request("POST", "/api/Account/SignIn", headers: headers, body: Self.validJSON)))
        #expect(call.reply.format == format)
    }

    // MARK: encoding

    private static let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"

    private func signedIn(lifetime: Int? = 3600) -> DialectResult {
        .signedIn(SignedIn(
            grant: F.grant(F.fullIdentity, dialect: .webapi),
            artifacts: IssuedArtifacts(accessToken: Self.token, accessTokenLifetime: lifetime)))
    }

    private func call(_ format: ReplyStyle.Format) -> DialectCall {
        DialectCall(.signIn(Self.expectedSignIn), reply: ReplyStyle(format: format))
    }

    @Test func successIsAuthenticationResponseJSONInTheSampleOrder() throws {
        let response = try F.webAPI().encode(signedIn(), for: call(.json))
        #expect(response.status == 200)
        #expect(F.pairs(response.headers) == [
            "Content-Type: application/json; charset=utf-8", "Cache-Control: no-store", "Pragma: no-cache",
        ])
        #expect(response.text == #"{"token_type":"bearer","access_token":"\#(Self.token)","expires_in":3600,"ClassVer":1,"WebApiVersion":{"Major":1,"Minor":3,"Build":0},"ApiKeyHolder":null}"#)
    }

    @Test func successIsDataContractXMLWhenAskedFor() throws {
        let response = try F.webAPI().encode(signedIn(lifetime: 1800), for: call(.xml))
        #expect(response.status == 200)
        #expect(F.pairs(response.headers) == [
            "Content-Type: application/xml; charset=utf-8", "Cache-Control: no-store", "Pragma: no-cache",
        ])
        #expect(response.text == #"<AuthenticationResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models"><ApiKeyHolder i:nil="true"/><ClassVer>1</ClassVer><WebApiVersion><Build>0</Build><Major>1</Major><Minor>3</Minor></WebApiVersion><access_token>\#(Self.token)</access_token><expires_in>1800</expires_in><token_type>bearer</token_type></AuthenticationResponse>"#)
    }

    @Test func configuredConstantsAppearInBothFormats() throws {
        let dialect = try F.webAPI(
            #"{"apiKeyHolder": "Acme & <Sons>", "classVersion": 2, "webApiVersion": [2, 0, 7], "tokenLifetimeSeconds": 600}"#)
        let json = dialect.encode(signedIn(lifetime: nil), for: call(.json))
        #expect(json.text == #"{"token_type":"bearer","access_token":"\#(Self.token)","expires_in":600,"ClassVer":2,"WebApiVersion":{"Major":2,"Minor":0,"Build":7},"ApiKeyHolder":"Acme & <Sons>"}"#)
        let xml = dialect.encode(signedIn(lifetime: nil), for: call(.xml))
        #expect(xml.text == #"<AuthenticationResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/HSTS.API.Models"><ApiKeyHolder>Acme &amp; &lt;Sons&gt;</ApiKeyHolder><ClassVer>2</ClassVer><WebApiVersion><Build>7</Build><Major>2</Major><Minor>0</Minor></WebApiVersion><access_token>\#(Self.token)</access_token><expires_in>600</expires_in><token_type>bearer</token_type></AuthenticationResponse>"#)
    }

    @Test(arguments: [AuthFailure.invalidCredentials])
    func refusedSignInIs401WithBearerChallenge(failure: AuthFailure) throws {
        let response = try F.webAPI().encode(.failed(failure), for: call(.json))
        #expect(response.status == 401)
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8", "WWW-Authenticate: Bearer"])
        #expect(response.text == #"{"Message":"Authorization has been denied for this request."}"#)
    }

    @Test func refusedSignInIsXMLErrorWhenAskedFor() throws {
        let response = try F.webAPI().encode(.failed(.invalidCredentials), for: call(.xml))
        #expect(response.status == 401)
        #expect(F.pairs(response.headers) == ["Content-Type: application/xml; charset=utf-8", "WWW-Authenticate: Bearer"])
        #expect(response.text == "<Error><Message>Authorization has been denied for this request.</Message></Error>")
    }

    @Test func unavailableUpstreamIs503() throws {
        let response = try F.webAPI().encode(.failed(.upstreamUnavailable(upstream: "crm")), for: call(.json))
        #expect(response.status == 503)
        #expect(response.text == #"{"Message":"The authentication service is unavailable."}"#)
    }

    @Test func invalidModelIsXMLModelStateWhenAskedFor() throws {
        let request = F.request(
            "POST", "/api/Account/SignIn", headers: [("Content-Type", "application/json"), ("Accept", "application/xml")],
            body: #"{"grant_type":"x<y","client_secret":"s"}"#)
        let response = try #require(F.response(try F.webAPI().decode(request)))
        #expect(response.status == 400)
        #expect(F.pairs(response.headers) == ["Content-Type: application/xml; charset=utf-8"])
        #expect(response.text == "<Error><Message>The request is invalid.</Message><ModelState><credentials.grant_type>grant_type must be password</credentials.grant_type><credentials.client_id>The client_id field is required.</credentials.client_id></ModelState></Error>")
    }

    // MARK: bad input

    private static let required = #"{"Message":"The request is invalid.","ModelState":{"credentials":["The credentials field is required."]}}"#
    private static let xmlNS = "http://schemas.datacontract.org/2004/07/HSTS.API.Models"
    private static let notXML = #"{"Message":"The request is invalid.","ModelState":{"credentials":["The request body is not valid XML."]}}"#
    private static let dtd = #"{"Message":"The request is invalid.","ModelState":{"credentials":["For security reasons DTD is prohibited in this XML document."]}}"#
    private static let wrongRoot = #"{"Message":"The request is invalid.","ModelState":{"credentials":["Expecting element 'ClientCredentials' from namespace 'http://schemas.datacontract.org/2004/07/HSTS.API.Models'."]}}"#
    private static let processingInstruction = #"{"Message":"The request is invalid.","ModelState":{"credentials":["Processing instructions are not allowed in this XML document."]}}"#
    private static let notUTF8 = #"{"Message":"The request is invalid.","ModelState":{"credentials":["The request body must be XML encoded as UTF-8."]}}"#
    private static let regex = #"The field client_id must match the regular expression '^([\\w\\.\\-]+)@([\\w\\-]+)((\\.(\\w){2,3})+)$'."#

    @Test(arguments: [
        // (Content-Type, body, status, exact body)
        (nil, "", 400, required),
        ("application/json", "", 400, required),
        ("text/plain", "grant_type=password", 415,
         #"{"Message":"The request entity's media type 'text/plain' is not supported for this resource."}"#),
        (nil, validJSON, 415,
         #"{"Message":"The request entity's media type 'application/octet-stream' is not supported for this resource."}"#),
        ("application/json", "{\"grant_type\":", 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials":["The request body is not valid JSON."]}}"#),
        ("application/json", "[1,2]", 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials":["The request body must be a JSON object."]}}"#),
        ("application/json", "null", 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials":["The request body must be a JSON object."]}}"#),
        ("application/json", "{}", 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.grant_type":["The grant_type field is required."],"credentials.client_id":["The client_id field is required."],"credentials.client_secret":["The client_secret field is required."]}}"#),
        ("application/json", #"{"grant_type":"client_credentials","client_id":"ann@example.com","client_secret":"s"}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.grant_type":["grant_type must be password"]}}"#),
        ("application/json", #"{"grant_type":"password","client_id":"ann","client_secret":"s"}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.client_id":["\#(regex)"]}}"#),
        ("application/json", #"{"grant_type":"password","client_id":42,"client_secret":"s"}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.client_id":["Error converting value to type 'System.String'. Path 'client_id'."]}}"#),
        ("application/json", #"{"grant_type":"password","client_id":"ann@example.com","client_secret":{"a":1}}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.client_secret":["Error converting value to type 'System.String'. Path 'client_secret'."]}}"#),
        ("application/json", #"{"grant_type":"password","client_id":"ann@example.com","client_secret":"  "}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.client_secret":["The client_secret field is required."]}}"#),
        ("application/json", #"{"grant_type":null,"client_id":"ann@example.com","client_secret":"s"}"#, 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.grant_type":["The grant_type field is required."]}}"#),
        ("application/x-www-form-urlencoded", "grant_type=token&client_id=ann%40example.com", 400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.grant_type":["grant_type must be password"],"credentials.client_secret":["The client_secret field is required."]}}"#),
        ("application/xml", "<ClientCredentials xmlns=\"\(xmlNS)\"><grant_type>password", 400, notXML),
        ("application/xml", "not xml at all", 400, notXML),
        ("application/xml",
         "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><ClientCredentials xmlns=\"\(xmlNS)\"><client_id>&lol2;</client_id></ClientCredentials>",
         400, dtd),
        ("text/xml", "<ClientCredentials xmlns=\"\(xmlNS)\"><!entity x SYSTEM \"file:///etc/passwd\"></ClientCredentials>", 400, dtd),
        ("application/xml",
         "<Credentials xmlns=\"\(xmlNS)\"><grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret>s</client_secret></Credentials>",
         400, wrongRoot),
        ("application/xml",
         "<ClientCredentials xmlns=\"urn:other\"><grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret>s</client_secret></ClientCredentials>",
         400, wrongRoot),
        ("application/xml",
         "<ClientCredentials><grant_type>password</grant_type><client_id>ann@example.com</client_id><client_secret>s</client_secret></ClientCredentials>",
         400, wrongRoot),
        // A processing instruction without data reached Foundation's XMLParser as a NULL C string and
        // killed the process (found by fuzz/FuzzWebAPIXML); none but the declaration is let through.
        ("application/xml", "<?x?><ClientCredentials xmlns=\"\(xmlNS)\"><grant_type>password</grant_type></ClientCredentials>", 400,
         processingInstruction),
        ("text/xml", "<?xml version=\"1.0\"?><ClientCredentials xmlns=\"\(xmlNS)\"><grant_type><?x?>password</grant_type></ClientCredentials>",
         400, processingInstruction),
        ("application/xml", "<ClientCredentials xmlns=\"\(xmlNS)\"><grant_type>password</grant_type></ClientCredentials><?x?>", 400,
         processingInstruction),
        ("application/xml", "<?xml-stylesheet?><ClientCredentials xmlns=\"\(xmlNS)\"></ClientCredentials>", 400, processingInstruction),
        ("application/xml", "<?xml -->\n<Clbnled<?e?>\n<!-n- ", 400, processingInstruction),
        ("application/xml",
         "<?xml version=\"1.0\" encoding=\"UTF-7\"?><ClientCredentials xmlns=\"\(xmlNS)\"></ClientCredentials>", 400, notUTF8),
        ("application/xml",
         "<ClientCredentials xmlns=\"\(xmlNS)\"><grant_type>password</grant_type><client_id/><client_secret><x>1</x></client_secret></ClientCredentials>",
         400,
         #"{"Message":"The request is invalid.","ModelState":{"credentials.client_id":["The client_id field is required."],"credentials.client_secret":["Error converting value to type 'System.String'. Path 'client_secret'."]}}"#),
    ] as [(String?, String, Int, String)])
    func badInputGetsWebAPIError(contentType: String?, body: String, status: Int, expected: String) throws {
        let headers = contentType.map { [("Content-Type", $0)] } ?? []
        let response = try #require(F.response(try F.webAPI().decode(F.request("POST", "/api/Account/SignIn", headers: headers, body: body))))
        #expect(response.status == status)
        #expect(response.text == expected)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func utf16XMLIsRefusedBeforeParsing() throws {
        let text = "<ClientCredentials xmlns=\"\(Self.xmlNS)\"></ClientCredentials>"
        let body: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let request = WireRequest(
            method: "POST", path: "/api/Account/SignIn", headers: WireHeaders([("Content-Type", "application/xml")]), body: body)
        let response = try #require(F.response(try F.webAPI().decode(request)))
        #expect(response.status == 400)
        #expect(response.text == Self.notUTF8)
    }

    @Test func damagedBodiesNeverCrashAndAlwaysGetAnAnswer() throws {
        let dialect = try F.webAPI()
        let xml = "<?xml version=\"1.0\"?><ClientCredentials xmlns:i=\"\(Self.xmlNS)\" xmlns=\"\(Self.xmlNS)\"><client_id>ann@example.com</client_id><client_secret i:nil=\"true\"/><grant_type>password</grant_type></ClientCredentials>"
        let samples = [
            ("application/json", Array(Self.validJSON.utf8)),
            ("application/xml", Array(xml.utf8)),
            ("application/x-www-form-urlencoded", Array("grant_type=password&client_id=ann%40example.com&client_secret=s".utf8)),
        ]
        // xorshift: deterministic, so a failure reproduces.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(truncatingIfNeeded: seed & 0x7FFF_FFFF)
        }
        for _ in 0..<300 {
            for (media, sample) in samples {
                // Flip a few bytes to random values, then cut the body at a random length.
                var body = sample
                for _ in 0..<(1 + next() % 4) { body[next() % body.count] = UInt8(truncatingIfNeeded: next()) }
                body = Array(body.prefix(next() % (body.count + 1)))
                let request = WireRequest(
                    method: "POST", path: "/api/Account/SignIn", headers: WireHeaders([("Content-Type", media)]), body: body)
                let call = try #require(dialect.decode(request))
                if case .respond(let response) = call.action { #expect(response.status == 400) }
            }
        }
    }
}
