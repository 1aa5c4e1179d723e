import GatehouseCore
import Testing

@testable import Proxy

@Suite struct RouteTableTests {
    static func route(_ name: String, _ prefix: String, host: String? = nil, methods: [String] = [], strip: Bool = false) -> RouteSettings {
        RouteSettings(
            name: name, pathPrefix: prefix, upstreams: ["http://127.0.0.1:1"], host: host, methods: methods,
            stripPrefix: strip, policy: .public, roles: [], timeoutSeconds: 30, legacySession: nil)
    }

    @Test func prefixesMatchOnWholeSegments() {
        let table = RouteTable([Self.route("crm", "/crm/"), Self.route("root", "/")])
        #expect(table.match(method: "GET", host: nil, path: "/crm")?.settings.name == "crm")
        #expect(table.match(method: "GET", host: nil, path: "/crm/a/b")?.settings.name == "crm")
        #expect(table.match(method: "GET", host: nil, path: "/crmx")?.settings.name == "root")
        #expect(RouteTable([Self.route("crm", "/crm")]).match(method: "GET", host: nil, path: "/crmx") == nil)
    }

    @Test func longestPrefixThenHostThenMethod() {
        let table = RouteTable([
            Self.route("api", "/api"), Self.route("v2", "/api/v2"), Self.route("tenant", "/api", host: "t.example"),
            Self.route("write", "/w", methods: ["POST"]), Self.route("read", "/w", methods: ["GET", "HEAD"]),
        ])
        #expect(table.match(method: "GET", host: "a.example", path: "/api/v2/x")?.settings.name == "v2")
        #expect(table.match(method: "GET", host: "a.example", path: "/api/v1")?.settings.name == "api")
        #expect(table.match(method: "GET", host: "T.Example:443", path: "/api/v1")?.settings.name == "tenant")
        #expect(table.match(method: "POST", host: nil, path: "/w/1")?.settings.name == "write")
        #expect(table.match(method: "HEAD", host: nil, path: "/w/1")?.settings.name == "read")
        #expect(table.match(method: "DELETE", host: nil, path: "/w/1") == nil)
    }

    @Test func theUpstreamsOwnRedirectsAreTurnedIntoTheRoutesPaths() {
        let stripped = ProxyRoute(Self.route("crm", "/crm/", strip: true))
        let base = "http://crm.internal:8080"
        #expect(stripped.clientLocation("http://crm.internal:8080/login?next=%2Fa", upstream: base) == "/crm/login?next=%2Fa")
        #expect(stripped.clientLocation("HTTP://CRM.internal:8080", upstream: base + "/") == "/crm/")
        #expect(stripped.clientLocation("http://crm.internal:8080?x=1", upstream: base) == "/crm/?x=1")
        // Below a base with a path of its own: that path is what upstreamPath(for:) was appended to.
        #expect(stripped.clientLocation("http://crm.internal:8080/app/home", upstream: base + "/app") == "/crm/home")
        #expect(stripped.clientLocation("http://crm.internal:8080/application", upstream: base + "/app") == "http://crm.internal:8080/application")
        #expect(stripped.clientLocation("http://crm.internal:8080/other", upstream: base + "/app") == "http://crm.internal:8080/other")
        // Unstripped, the upstream's path is the client's.
        #expect(ProxyRoute(Self.route("crm", "/crm")).clientLocation("http://crm.internal:8080/crm/a", upstream: base) == "/crm/a")
        // Elsewhere, relative, another port or scheme: as sent.
        for location in ["https://id.example/login", "/login", "login", "http://crm.internal:8081/x", "https://crm.internal:8080/x",
                         "http://crm.internal:80800/x"] {
            #expect(stripped.clientLocation(location, upstream: base) == location)
        }
    }

    @Test func strippingLeavesAtLeastASlash() {
        let route = ProxyRoute(Self.route("crm", "/crm/", strip: true))
        #expect(route.upstreamPath(for: "/crm/a/b") == "/a/b")
        #expect(route.upstreamPath(for: "/crm") == "/")
        #expect(ProxyRoute(Self.route("crm", "/crm")).upstreamPath(for: "/crm/a") == "/crm/a")
    }

    @Test func hostNamesLoseTheirPort() {
        #expect(RouteTable.hostName("Portal.Example:8080") == "portal.example")
        #expect(RouteTable.hostName("[::1]:9900") == "[::1]")
        #expect(RouteTable.hostName("plain") == "plain")
    }

    @Test func aRefusingUpstreamGoesLastForAWhile() {
        let pool = UpstreamPool(["a", "b", "c"])
        let now = ContinuousClock.now
        #expect(pool.order(now: now) == ["a", "b", "c"])
        #expect(pool.order(now: now) == ["b", "c", "a"])
        pool.refused("c", now: now)
        #expect(pool.order(now: now) == ["a", "b", "c"])
        #expect(pool.order(now: now) == ["a", "b", "c"])
        #expect(pool.order(now: now + .seconds(6)) == ["b", "c", "a"])
        pool.refused("a", now: now)
        pool.answered("a")
        #expect(pool.order(now: now + .seconds(6)) == ["c", "a", "b"])
    }

    @Test func dotSegmentsAndEncodedSlashesAreUnsafe() {
        for path in ["/a/../b", "/a/./b", "/a/%2e%2e/b", "/a/.%2E/b", "/a/%2F/b", "/a\\b", "/a/%5c"] {
            #expect(!ProxyPath.isSafe(path), "\(path)")
        }
        for path in ["/", "/a/b", "/a/..b/c", "/a/b.c", "/a%20b"] {
            #expect(ProxyPath.isSafe(path), "\(path)")
        }
    }

    /// Tomcat, Jetty and Spring drop a segment's `;parameters` and then resolve what is left.
    @Test func dotSegmentsWithPathParametersAreUnsafe() {
        for path in ["/pub/..;/admin", "/pub/.;x/admin", "/pub/..;jsessionid=1/admin", "/pub/%2e%2e;/admin", "/pub/..%3B/admin", "/pub/..;"] {
            #expect(!ProxyPath.isSafe(path), "\(path)")
        }
        for path in ["/pub;x/a", "/a/b;c=d", "/a/..b;x", "/;x/a", "/a/b%3Bc"] {
            #expect(ProxyPath.isSafe(path), "\(path)")
        }
    }

    @Test func prefixesMatchOnThePathWithoutParameters() {
        let table = RouteTable([Self.route("admin", "/admin"), Self.route("root", "/")])
        for path in ["/admin;x/y", "/admin;jsessionid=1", "/ADMIN;a=b;c=d/z"] {
            #expect(table.match(method: "GET", host: nil, path: path)?.settings.name == "admin", "\(path)")
        }
        #expect(table.match(method: "GET", host: nil, path: "/adminx;y")?.settings.name == "root")
        let stripped = ProxyRoute(Self.route("crm", "/crm/v1", strip: true))
        #expect(stripped.upstreamPath(for: "/crm;a/v1;b/c;d/e") == "/c;d/e")
        #expect(stripped.upstreamPath(for: "/crm/v1;jsessionid=1") == "/")
    }

    @Test(arguments: [
        ("/admin/x", "/admin/x"),
        ("/%61dmin/%7Euser", "/admin/~user"),
        ("/a%2fb%20c%c3%a9", "/a%2Fb%20c%C3%A9"),
        ("//a///b/", "/a/b/"),
        ("/a/%2e%2E/b", "/a/../b"),
    ])
    func pathsAreNormalizedTheWayServersReadThem(path: String, normalized: String) {
        #expect(ProxyPath.normalized(path) == normalized)
    }

    @Test func malformedAndIISOnlyEscapesAreRefused() {
        for path in ["/a%u0061", "/a%", "/a%4", "/a%zz", "/%G1"] {
            #expect(ProxyPath.normalized(path) == nil, "\(path)")
        }
    }

    @Test func prefixesMatchWithoutRegardToCase() {
        let table = RouteTable([Self.route("admin", "/Admin"), Self.route("root", "/")])
        for path in ["/admin", "/ADMIN/x", "/Admin/x"] {
            #expect(table.match(method: "GET", host: nil, path: path)?.settings.name == "admin", "\(path)")
        }
        #expect(table.match(method: "GET", host: nil, path: "/administrator")?.settings.name == "root")
        #expect(ProxyRoute(Self.route("crm", "/crm", strip: true)).upstreamPath(for: "/CRM/a") == "/a")
    }

    @Test func aRedirectToAnotherSiteIsNeverMadeRelative() {
        let route = ProxyRoute(Self.route("all", "/"))
        #expect(route.clientLocation("http://up:1//evil.example/x", upstream: "http://up:1") == "http://up:1//evil.example/x")
    }
}
