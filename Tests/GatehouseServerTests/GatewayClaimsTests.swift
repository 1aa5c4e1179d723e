import GatehouseCore
@testable import GatehouseServer
import GatehouseTesting
import Testing

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
