import Dialects
import GatehouseCore
import Testing

private typealias F = WebAPIBaaSFixtures

@Suite("BaaS dialect")
struct BaaSDialectTests {
    private static let token = "0c7f26c8-5b4a-4a32-b35a-2e249448bbf2"
    private static let keyed = [("X-Api-Key", F.apiKey)]
    private static let signInHeaders = keyed + [
        ("Content-Type", "application/json"), ("Accept", "application/json"),
        // The iOS SDK sends an Authorization header along on sign-in; it must not get in the way.
        ("Authorization", "Bearer \(token)"), ("User-Agent", "BaaS-iOS/2"),
    ]

    private func decode(_ method: String, _ path: String, headers: [(String, String)] = keyed, body: String = "") throws
        -> DialectCall?
    {
        try F.baas().decode(F.request(method, path, headers: headers, body: body))
    }

    // MARK: decoding

    @Test func signInBecomesPasswordSignInCarryingTheAPIKey() throws {
        let call = try #require(try decode(
            "POST", "/v2/auth/signin", headers: Self.signInHeaders, body: #"{"username":"ann","password":"test123"}"#))
        #expect(call.action == .signIn(SignInRequest(
            credential: .password(login: "ann", secret: "test123"), remember: false, dialect: .baas,
            client: ClientContext(address: "10.0.0.9", userAgent: "BaaS-iOS/2", apiKey: F.apiKey))))
    }

    @Test func signInIgnoresOtherMembersSuchAsTheSamplesUserObject() throws {
        let body = #"{"email":{"primary":"primary@email.com"},"active":false,"username":"ann","password":"test123","extras":{}}"#
        let call = try #require(try decode("POST", "/v2/auth/signin/", headers: Self.signInHeaders, body: body))
        guard case .signIn(let request) = call.action else {
            Issue.record("expected a sign-in, got \(call.action)")
            return
        }
        #expect(request.credential == .password(login: "ann", secret: "test123"))
    }

    @Test(arguments: ["GET", "POST", "DELETE"])
    func signOutRevokesTheBearerSessionToken(method: String) throws {
        let call = try #require(try decode(method, "/v2/auth/signout", headers: Self.keyed + [("Authorization", "Bearer \(Self.token)")]))
        #expect(call.action == .signOut([.bearer(Self.token)]))
    }

    @Test func verifyResolvesTheBearerSessionToken() throws {
        let call = try #require(try decode("GET", "/v2/auth/verify/", headers: Self.keyed + [("Authorization", "Bearer \(Self.token)")]))
        #expect(call.action == .resolve(.bearer(Self.token)))
    }

    @Test(arguments: ["/v2/Auth/signin", "/v2/auth/SignIn", "/v2/auth", "/v2/auth/", "/v2/auth/signup", "/auth/signin", "/v2/auth/signin/x"])
    func otherPathsAreNotThisDialects(path: String) throws {
        #expect(try decode("POST", path, headers: Self.signInHeaders, body: #"{"username":"ann","password":"p"}"#) == nil)
    }

    @Test func configuredPrefixReplacesTheDefault() throws {
        let dialect = try F.baas(#"{"pathPrefix": "/auth", "apiKeys": ["browser api.example 525ad5d6993247cccb083e5a"]}"#)
        let signIn = F.request("POST", "/auth/signin", headers: Self.signInHeaders, body: #"{"username":"ann","password":"p"}"#)
        #expect(dialect.decode(signIn) != nil)
        #expect(dialect.decode(F.request("GET", "/v2/auth/verify", headers: Self.keyed)) == nil)
    }

    // MARK: encoding

    private func signedIn(_ identity: Identity, token: String? = token) -> DialectResult {
        .signedIn(SignedIn(grant: F.grant(identity, dialect: .baas), artifacts: IssuedArtifacts(sessionToken: token)))
    }

    private static let signInCall = DialectCall(.signIn(SignInRequest(credential: .password(login: "ann", secret: "p"), dialect: .baas)))
    private static let verifyCall = DialectCall(.resolve(.bearer(token)))
    private static let signOutCall = DialectCall(.signOut([.bearer(token)]))

    @Test func signInAnswersTheUserObjectInTheDocumentsOrderWithASessionToken() throws {
        let response = try F.baas().encode(signedIn(F.fullIdentity), for: Self.signInCall)
        #expect(response.status == 200)
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8", "Cache-Control: no-store"])
        #expect(response.text == #"{"email":{"primary":"primary@email.com","secondary":"secondary@email.com","work":"work@email.com","other":"other@email.com"},"name":{"prefix":"prefix","firstName":"first name","middleName":"middle name","lastName":"last name","maidenName":"maiden name","suffix":"jr"},"extras":{"extra1":"value1","extra2":"value2"},"usersId":"a564ef59-085b-4803-b514-37288e32709e","username":"ann","active":false,"createdAt":"2013-11-07T12:00:00Z","updatedAt":"2014-01-02T03:04:05Z","sessionToken":"\#(Self.token)"}"#)
    }

    @Test func unknownUserMembersAreWrittenAsNull() throws {
        let response = try F.baas().encode(signedIn(F.bareIdentity, token: "t-2"), for: Self.signInCall)
        #expect(response.text == #"{"email":{"primary":null,"secondary":null,"work":null,"other":null},"name":{"prefix":null,"firstName":null,"middleName":null,"lastName":null,"maidenName":null,"suffix":null},"extras":{},"usersId":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"bob","active":true,"createdAt":"2013-11-07T12:00:00Z","updatedAt":"2013-11-07T12:00:00Z","sessionToken":"t-2"}"#)
    }

    @Test func verifyAnswersTheUserObjectWithoutASessionToken() throws {
        let result = DialectResult.resolved(F.grant(F.bareIdentity, dialect: .baas), artifacts: IssuedArtifacts())
        let response = try F.baas().encode(result, for: Self.verifyCall)
        #expect(response.status == 200)
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8"])
        #expect(response.text == #"{"email":{"primary":null,"secondary":null,"work":null,"other":null},"name":{"prefix":null,"firstName":null,"middleName":null,"lastName":null,"maidenName":null,"suffix":null},"extras":{},"usersId":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"bob","active":true,"createdAt":"2013-11-07T12:00:00Z","updatedAt":"2013-11-07T12:00:00Z"}"#)
    }

    @Test func signOutAnswersAnEmptyObject() throws {
        let response = try F.baas().encode(.signedOut, for: Self.signOutCall)
        #expect(response.status == 200)
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8"])
        #expect(response.text == "{}")
    }

    @Test func deadSessionTokenIs401OnVerify() throws {
        let response = try F.baas().encode(.failed(.invalidCredentials), for: Self.verifyCall)
        #expect(response.status == 401)
        #expect(response.text == #"[{"code":401,"message":"Invalid session token"}]"#)
    }

    @Test(arguments: [AuthFailure.invalidCredentials])
    func refusedSignInIs401(failure: AuthFailure) throws {
        let response = try F.baas().encode(.failed(failure), for: Self.signInCall)
        #expect(response.status == 401)
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8"])
        #expect(response.text == #"[{"code":401,"message":"Invalid username or password"}]"#)
    }

    @Test func unavailableUpstreamIs503() throws {
        let response = try F.baas().encode(.failed(.upstreamUnavailable(upstream: "crm")), for: Self.signInCall)
        #expect(response.status == 503)
        #expect(response.text == #"[{"code":503,"message":"Authentication service unavailable"}]"#)
    }

    // MARK: bad input

    private static let json = [("Content-Type", "application/json")]
    private static let unknownKey = [("X-Api-Key", "browser api.example 000000000000000000000000")]
    private static let bearer = [("Authorization", "Bearer \(token)")]

    @Test(arguments: [
        // (method, path, headers, body, status, exact body)
        ("GET", "/v2/auth/signin", keyed, "", 405, #"[{"code":405,"message":"Method not allowed"}]"#),
        ("POST", "/v2/auth/verify", keyed + bearer, "", 405, #"[{"code":405,"message":"Method not allowed"}]"#),
        ("PUT", "/v2/auth/signout", keyed + bearer, "", 405, #"[{"code":405,"message":"Method not allowed"}]"#),
        ("POST", "/v2/auth/signin", json, #"{"username":"ann","password":"p"}"#, 401, #"[{"code":401,"message":"Missing X-Api-Key header"}]"#),
        ("POST", "/v2/auth/signin", json + [("X-Api-Key", "")], #"{"username":"ann","password":"p"}"#, 401,
         #"[{"code":401,"message":"Missing X-Api-Key header"}]"#),
        ("POST", "/v2/auth/signin", json + unknownKey, #"{"username":"ann","password":"p"}"#, 401,
         #"[{"code":401,"message":"Invalid API key"}]"#),
        ("POST", "/v2/auth/signin", json + [("X-Api-Key", "525ad5d6993247cccb083e5a")], #"{"username":"ann","password":"p"}"#, 401,
         #"[{"code":401,"message":"Invalid API key"}]"#),
        ("GET", "/v2/auth/verify", bearer, "", 401, #"[{"code":401,"message":"Missing X-Api-Key header"}]"#),
        ("GET", "/v2/auth/signout", unknownKey + bearer, "", 401, #"[{"code":401,"message":"Invalid API key"}]"#),
        ("GET", "/v2/auth/signout", keyed, "", 401, #"[{"code":401,"message":"Missing session token"}]"#),
        ("DELETE", "/v2/auth/signout", keyed + [("Authorization", "Basic YTpi")], "", 401, #"[{"code":401,"message":"Missing session token"}]"#),
        ("GET", "/v2/auth/verify", keyed, "", 401, #"[{"code":401,"message":"Missing session token"}]"#),
        ("POST", "/v2/auth/signin", keyed, #"{"username":"ann","password":"p"}"#, 415,
         #"[{"code":415,"message":"Content-Type must be application/json"}]"#),
        ("POST", "/v2/auth/signin", keyed + [("Content-Type", "text/plain")], #"{"username":"ann","password":"p"}"#, 415,
         #"[{"code":415,"message":"Content-Type must be application/json"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, "", 400, #"[{"code":400,"message":"Request body must be a JSON object"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, "{\"username\":", 400, #"[{"code":400,"message":"Request body must be a JSON object"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, #"["ann","p"]"#, 400, #"[{"code":400,"message":"Request body must be a JSON object"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, "{}", 400,
         #"[{"code":400,"message":"username is required"},{"code":400,"message":"password is required"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, #"{"username":"","password":null}"#, 400,
         #"[{"code":400,"message":"username is required"},{"code":400,"message":"password is required"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, #"{"username":"ann"}"#, 400, #"[{"code":400,"message":"password is required"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, #"{"username":42,"password":"p"}"#, 400,
         #"[{"code":400,"message":"username must be a string"}]"#),
        ("POST", "/v2/auth/signin", keyed + json, #"{"username":["ann"],"password":true}"#, 400,
         #"[{"code":400,"message":"username must be a string"},{"code":400,"message":"password must be a string"}]"#),
    ] as [(String, String, [(String, String)], String, Int, String)])
    func badInputGetsThePlatformsErrorArray(
        method: String, path: String, headers: [(String, String)], body: String, status: Int, expected: String
    ) throws {
        let response = try #require(F.response(try decode(method, path, headers: headers, body: body)))
        #expect(response.status == status)
        #expect(response.text == expected)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func refusedMethodNamesTheAllowedOnes() throws {
        let response = try #require(F.response(try decode("PATCH", "/v2/auth/signout", headers: Self.keyed)))
        #expect(F.pairs(response.headers) == ["Content-Type: application/json; charset=utf-8", "Allow: GET, POST, DELETE"])
    }

    @Test func oversizedSignInBodyGets413() throws {
        let request = F.request("POST", "/v2/auth/signin", headers: Self.keyed + Self.json, tooLarge: true)
        let response = try #require(F.response(try F.baas().decode(request)))
        #expect(response.status == 413)
        #expect(response.text == #"[{"code":413,"message":"Request body too large"}]"#)
    }
}
