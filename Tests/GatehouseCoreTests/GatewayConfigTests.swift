import Foundation
import GatehouseCore
import Testing

@Suite struct GatewayConfigTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func issues(_ json: String) -> [String] {
        do {
            _ = try GatewayConfig.parse(Array(json.utf8))
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func theEmbeddedDefaultParses() throws {
        let data = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("gateway.json"))
        let config = try GatewayConfig.parse(Array(data))
        #expect(config.server.port == 9900)
        #expect(config.server.host == "127.0.0.1")
        #expect(DialectID.allCases.allSatisfy { config.dialects.isEnabled($0) })
        guard case .local(let local) = config.authenticators.first else { Issue.record("no local authenticator"); return }
        #expect(local.users.map(\.username) == ["admin", "editor", "legacy"])
        #expect(local.userPaths == ["authenticators[0].users[0]", "authenticators[0].users[1]", "authenticators[0].users[2]"])
    }

    @Test func defaultsFillWhatIsLeftOut() throws {
        let config = try GatewayConfig.parse(Array(#"{"authenticators":[{"name":"l","type":"local","users":[]}]}"#.utf8))
        #expect(config.server.port == 9900)
        #expect(config.stateDirectory == ".gatehouse")
        #expect(config.dialects.aspnet.routes == ["1"])
        #expect(config.dialects.aspnet.ticketLifetimeSeconds == 1_209_600)
        #expect(config.dialects.webapi.tokenLifetimeSeconds == 3600)
        #expect(config.dialects.sso.path == "/api/v2/sso/signin")
        #expect(config.store.type == .memory)
    }

    @Test func everyMistakeIsNamedByItsKeyPath() {
        let found = issues("""
            {
              "server": { "port": "9900", "colour": "blue" },
              "dialects": { "baas": { "apiKeys": ["only-one-part"] }, "servicestack": { "textCase": "kebab" } },
              "authenticators": [
                { "name": "local", "type": "local", "users": [
                  { "id": 1, "username": "a", "email": "a@example.com", "passwordHash": "x" },
                  { "id": 1, "username": "b", "email": "not-an-address", "passwordHash": "x", "rolez": [] }
                ] },
                { "name": "crm", "type": "upstream", "dialect": "soap", "url": "ftp://x" }
              ],
              "store": { "type": "redis" },
              "routes": [ { "name": "r", "pathPrefix": "crm", "upstream": "http://127.0.0.1:1", "policy": "open" } ],
              "extra": true
            }
            """)
        #expect(found.sorted() == [
            "authenticators[0].users[1].email: must be an e-mail address",
            "authenticators[0].users[1].id: repeats the id 1",
            "authenticators[0].users[1].rolez: is not a known key",
            "authenticators[1].dialect: must be one of aspnet, sso, webapi, baas, servicestack",
            "authenticators[1].url: must be an http or https URL",
            "dialects.baas.apiKeys[0]: must be three space-separated parts: type, identifier, id",
            "dialects.servicestack.textCase: must be auto, PascalCase or camelCase",
            "extra: is not a known key",
            "routes[0].pathPrefix: must be a path starting with /",
            "routes[0].policy: must be public or authenticated",
            "server.colour: is not a known key",
            "server.port: must be an integer",
            "store.type: must be one of memory, sqlite, postgres",
        ])
    }

    @Test func upstreamTLSSettingsAreReadAndAClientCertificateNeedsItsKey() throws {
        let config = try GatewayConfig.parse(Array(#"{"authenticators":[{"name":"u","type":"upstream","dialect":"webapi","url":"https://h.example/api/Account/SignIn","caFile":"/etc/ca.pem","connectTimeoutSeconds":3}]}"#.utf8))
        guard case .upstream(let upstream) = config.authenticators.first else { Issue.record("no upstream"); return }
        #expect(upstream.caFile == "/etc/ca.pem")
        #expect(upstream.connectTimeoutSeconds == 3)
        #expect(upstream.timeoutSeconds == 5)
        #expect(issues(#"{"authenticators":[{"name":"u","type":"upstream","dialect":"sso","url":"https://h.example/","clientCertificate":"/c.pem"}]}"#)
            == ["authenticators[0].clientKey: is required with clientCertificate"])
    }

    @Test func notJSONAtAll() {
        #expect(issues("{") == ["(root): is not valid JSON"])
        #expect(issues("[]") == ["(root): must be an object"])
    }

    @Test func requiredUserKeys() {
        let found = issues(#"{"authenticators":[{"name":"l","type":"local","users":[{"id":2}]}]}"#)
        #expect(found == [
            "authenticators[0].users[0].username: is required",
            "authenticators[0].users[0].email: is required",
            "authenticators[0].users[0].passwordHash: is required",
        ])
    }
}

@Suite struct JSONValueTests {
    @Test func writesMembersInOrderAndEscapes() {
        let value = JSONValue.object([
            ("b", .string("q\"\\\n\u{1}")), ("a", .array([.int(1), .bool(false), .null])),
            ("d", .fragment(#""\/Date(0)\/""#)),
        ])
        #expect(value.text == #"{"b":"q\"\\\n\u0001","a":[1,false,null],"d":"\/Date(0)\/"}"#)
    }

    @Test func parsesTypesStrictly() {
        #expect(JSONValue.parse(Array(#"{"x":true,"y":1,"z":"s"}"#.utf8))?["x"] == .bool(true))
        #expect(JSONValue.parse(Array(#"{"x":true,"y":1,"z":"s"}"#.utf8))?["y"] == .int(1))
        #expect(JSONValue.parse(Array("{".utf8)) == nil)
        #expect(JSONValue.parse([]) == nil)
    }
}

/// The `routes` and `proxy` sections.
@Suite struct RouteConfigTests {
    static func parse(routes: String, proxy: String = "") throws(ConfigError) -> GatewayConfig {
        let json = """
            { "authenticators": [ { "name": "local", "type": "local", "users": [] } ],
              \(proxy.isEmpty ? "" : #""proxy": \#(proxy),"#)
              "routes": \(routes) }
            """
        return try GatewayConfig.parse(Array(json.utf8))
    }

    static func issues(routes: String, proxy: String = "") -> [String] {
        do {
            _ = try parse(routes: routes, proxy: proxy)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func oneURLOrAListAndTheDefaults() throws {
        let config = try Self.parse(routes: """
            [ { "name": "a", "pathPrefix": "/a", "upstream": "http://127.0.0.1:8081" },
              { "name": "b", "pathPrefix": "/b/", "upstream": ["http://10.0.0.1", "https://10.0.0.2/app"], "host": "Portal.Example",
                "methods": ["get", "POST"], "policy": "public", "timeoutSeconds": 5, "legacySession": "crm" } ]
            """)
        #expect(config.routes[0].upstreams == ["http://127.0.0.1:8081"])
        #expect(config.routes[0].policy == .authenticated)
        #expect(config.routes[0].timeoutSeconds == 30)
        #expect(config.routes[0].methods.isEmpty)
        #expect(config.routes[0].host == nil)
        #expect(config.routes[1].upstreams == ["http://10.0.0.1", "https://10.0.0.2/app"])
        #expect(config.routes[1].host == "portal.example")
        #expect(config.routes[1].methods == ["GET", "POST"])
        #expect(config.routes[1].legacySession == "crm")
        #expect(config.proxy.userHeader == "X-Auth-User")
        #expect(config.proxy.identityHeaders == ["X-Auth-User", "X-Auth-Email", "X-Auth-Roles"])
        #expect(config.proxy.assertionHeader == nil)
    }

    @Test func overlappingRoutesAreRefused() {
        #expect(Self.issues(routes: """
            [ { "name": "a", "pathPrefix": "/crm/", "upstream": "http://127.0.0.1:1" },
              { "name": "b", "pathPrefix": "/crm", "upstream": "http://127.0.0.1:2" },
              { "name": "c", "pathPrefix": "/crm", "methods": ["GET"], "host": "x.example", "upstream": "http://127.0.0.1:3" },
              { "name": "d", "pathPrefix": "/crm", "methods": ["POST"], "host": "x.example", "upstream": "http://127.0.0.1:4" },
              { "name": "d", "pathPrefix": "/crm", "methods": ["POST", "PUT"], "host": "x.example", "upstream": "http://127.0.0.1:5" } ]
            """) == [
                "routes[1]: overlaps routes[0] ('a'): same pathPrefix and host, and a method in common",
                "routes[4].name: repeats the name 'd'",
                "routes[4]: overlaps routes[3] ('d'): same pathPrefix and host, and a method in common",
            ])
    }

    @Test func badRouteAndProxyValuesAreNamed() {
        #expect(Self.issues(routes: """
            [ { "name": "a", "pathPrefix": "/a?x", "upstream": "ftp://x", "methods": ["GE T"] },
              { "name": "b", "pathPrefix": "/b", "upstream": [] },
              { "name": "c", "pathPrefix": "/c" } ]
            """, proxy: #"{ "userHeader": "X Bad", "emailHeader": "x-auth-roles", "signInPage": "login" }"#) == [
                "routes[0].pathPrefix: must be a path starting with /",
                "routes[0].upstream: 'ftp://x' must be an http or https URL without a query",
                "routes[0].methods: 'GE T' is not an HTTP method",
                "routes[1].upstream: must list at least one URL",
                "proxy.userHeader: must be an HTTP header name",
                "proxy: identity header names must differ from each other",
                "proxy.signInPage: must be a path or an http(s) URL",
            ])
    }

    @Test func trustedProxiesAreCIDRBlocksAndNoneByDefault() throws {
        #expect(try Self.parse(routes: "[]").proxy.trustedProxies.isEmpty)
        let config = try Self.parse(routes: "[]", proxy: #"{"trustedProxies":["10.0.0.0/8","::1","192.0.2.1"]}"#)
        #expect(config.proxy.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1", "192.0.2.1"])
        #expect(Self.issues(routes: "[]", proxy: #"{"trustedProxies":["10.0.0.1/8","nginx"]}"#) == [
            "proxy.trustedProxies[0]: '10.0.0.1/8' is not an IP address or a CIDR block like 10.0.0.0/8 (host bits clear)",
            "proxy.trustedProxies[1]: 'nginx' is not an IP address or a CIDR block like 10.0.0.0/8 (host bits clear)",
        ])
    }
}
