import GatehouseCore
import GatehouseTesting
import Testing
import Upstream

/// libcurl reads forward-proxy settings from the environment; Gatehouse's upstream requests ignore them.
///
/// Decision — the variable is set for a child `gatehouse` process, not with `setenv` here: every test target
/// runs in this one process, where other suites' libcurl threads read the environment while tests run in
/// parallel. `.serialized` would order only this suite's tests; the others would still race `setenv`
/// against libcurl's `getenv`, and without the fix their requests would go to the fake proxy too.
@Suite struct ProxyEnvironmentTests {
    @Test(arguments: ["http_proxy", "ALL_PROXY"])
    func aProxyNamedInTheEnvironmentIsNeverContacted(variable: String) async throws {
        try await LoopbackServer.run(EchoUpstream.router()) { upstreamPort in
            try await RawUpstream.run(answering: ["HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n"]) { forwardProxy in
                // An empty no_proxy excludes nothing, whatever the shell running the tests has.
                let environment = [variable: "http://127.0.0.1:\(forwardProxy.port)", "no_proxy": "", "NO_PROXY": ""]
                try await GatehouseProcess.serving(upstreamPort: upstreamPort, environment: environment) { base, _ in
                    let client = UpstreamClient()
                    defer { client.shutdown() }
                    let reply = try await client.send(UpstreamRequest(method: "GET", url: "\(base)/echo/x", timeoutSeconds: 30))
                    #expect(reply.status == 200)
                    #expect(JSONValue.parse(reply.body)?["path"] == .string("/echo/x"))
                }
                #expect(forwardProxy.connections == 0)
            }
        }
    }
}
