import GatehouseTesting
import Testing

/// What an operator sees of a running `gatehouse` in `top -H`, perf or a core dump.
@Suite struct ThreadNameTests {
    /// The libcurl threads are named `gatehouse-curl`; before, each carried the name of the thread that
    /// happened to start it (a Dispatch worker's, `-qos.overcommit`), so they could not be told apart.
    @Test func theUpstreamClientsThreadsAreNamed() async throws {
        try await GatehouseProcess.serving(upstreamPort: 1) { _, gatehouse in
            // Named by the thread itself as it starts: wait for it, not for a fixed time.
            try await eventually(within: .seconds(20)) { try gatehouse.threadNames().contains("gatehouse-curl") }
            let names = try gatehouse.threadNames()
            #expect(names.contains("gatehouse-curl"), "\(names)")
        }
    }
}
