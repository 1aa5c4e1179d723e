import GatehouseCore
@testable import GatehouseServer
import GatehouseTesting
import Testing

/// Which method and path a dialect answers, and what of it is remembered.
@Suite struct GatewayClaimsTests {
    @Test func shortPathsAreRememberedLongOnesDecidedAfresh() async throws {
        let gateway = try await Gateway.build(try TestConfiguration.make())
        #expect(gateway.claims(method: "POST", path: "/api/Account/SignIn"))
        #expect(gateway.claimed.value(for: "POST /api/Account/SignIn") == true)
        #expect(!gateway.claims(method: "GET", path: "/app/page"))
        #expect(gateway.claimed.value(for: "GET /app/page") == false)

        // A client-chosen path beyond the limit is answered the same way but never kept.
        let long = "/app/" + String(repeating: "x", count: Gateway.memoizedPathLength)
        #expect(!gateway.claims(method: "GET", path: long))
        #expect(gateway.claimed.value(for: "GET " + long) == nil)
        let longSignIn = "/" + String(repeating: "y", count: Gateway.memoizedPathLength) + "/SignIn"
        #expect(gateway.claims(method: "POST", path: longSignIn))
        #expect(gateway.claimed.value(for: "POST " + longSignIn) == nil)
    }
}
