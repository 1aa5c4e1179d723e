import GatehouseCore
@testable import GatehouseServer
import GatehouseTesting
import Synchronization
import Testing
import Dialects

/// Which method and path a dialect answers, and what of it is remembered.
@Suite struct GatewayClaimsTests {
    @Test func shortPathsAreRememberedLongOnesDecidedAfresh() async throws {
        let gateway = try await Gateway.build(try TestConfiguration.make())
        #expect(gateway.claim(method: "POST", path: "/api/Account/SignIn") == .endpoint)
        #expect(gateway.claimed.value(for: "POST /api/Account/SignIn") == .endpoint)
        #expect(gateway.claim(method: "GET", path: "/app/page") == Gateway.PathClaim.none)
        #expect(gateway.claimed.value(for: "GET /app/page") == Gateway.PathClaim.none)

        // A client-chosen path beyond the limit is answered the same way but never kept.
        let long = "/app/" + String(repeating: "x", count: Gateway.memoizedPathLength)
        #expect(gateway.claim(method: "GET", path: long) == Gateway.PathClaim.none)
        #expect(gateway.claimed.value(for: "GET " + long) == nil)
        let longSignIn = "/" + String(repeating: "y", count: Gateway.memoizedPathLength) + "/SignIn"
        #expect(gateway.claim(method: "POST", path: longSignIn) == .unknownEndpoint)
        #expect(gateway.claimed.value(for: "POST " + longSignIn) == nil)
    }
}

/// A request reaches the one dialect that declared its path; no other dialect parses it.
@Suite struct DeclaredEndpointTests {
    /// A dialect that declares `/probe/SignIn` and counts every request it is asked to decode.
    struct CountingDialect: Dialect {
        let id = DialectID.sso
        let artifactKinds: Set<ArtifactKind> = []
        let endpoints = DialectEndpoints([DialectEndpoint("signin", [.exactly("probe"), .ignoringCase("signin")])])
        final class Counter: Sendable { let count = Mutex(0) }
        let counter = Counter()
        func decode(_ request: WireRequest) -> DialectCall? {
            counter.count.withLock { $0 += 1 }
            return endpoints.match(request.path) == nil ? nil : DialectCall(.respond(.json(204, .object([]))))
        }
        func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse { .json(500, .object([])) }
    }

    @Test func pathsAreClaimedFromDeclaredEndpointsWithoutDecoding() throws {
        let counting = CountingDialect()
        let dialects: [any Dialect] = [counting] + Gateway.makeDialects(try TestConfiguration.make().dialects)
        let claims: [(String, Gateway.PathClaim)] = [
            ("/probe/SIGNIN", .endpoint), ("/Probe/SignIn", .unknownEndpoint), ("/AUTH/credentials.json", .endpoint),
            ("/auth/", .endpoint), ("/json/reply/Authenticate", .endpoint), ("/auth/a/b", .none), ("/1/signout/", .endpoint), ("/Account/signout", .unknownEndpoint),
            ("/crm/SignIn", .unknownEndpoint), ("/app/page", .none), ("", .none),
        ]
        for (path, expected) in claims {
            #expect(Gateway.claim(dialects, method: "POST", path: path) == expected, "\(path)")
        }
        #expect(counting.counter.count.withLock { $0 } == 0)
    }
}
