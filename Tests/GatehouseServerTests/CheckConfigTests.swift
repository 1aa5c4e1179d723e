import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import JWTKit
import Testing

/// `gatehouse check-config` as an operator runs it: the built executable on a file, its exit status and what it printed.
@Suite struct CheckConfigTests {
    /// Writes the test configuration with `keys` to a file and runs `gatehouse check-config` on it.
    static func checkConfig(keys: [String: Any]) throws -> (path: String, run: GatehouseProcess.Run) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var document = try #require(
            try JSONSerialization.jsonObject(with: Data(TestConfiguration.json(stateDirectory: directory.path).utf8)) as? [String: Any])
        document["keys"] = keys
        let path = directory.appendingPathComponent("gateway.json").path
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
        return (path, try GatehouseProcess.run(["check-config", "--config", path]))
    }

    /// Not base64 inside the armour, and a well-formed key on the wrong curve: `serve` would refuse both.
    static let unusableSigningKeys = [
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
        ES384PrivateKey().pemRepresentation,
    ]

    @Test(arguments: unusableSigningKeys)
    func anUnusableSigningKeyIsAConfigurationError(pem: String) throws {
        let (path, run) = try Self.checkConfig(keys: ["jwtPrivateKey": pem])
        #expect(run.status == 1)
        #expect(run.errors == "\(path): keys.jwtPrivateKey: must be the PEM of a P-256 private key\n\(path): 1 problem(s)\n")
        #expect(run.output.isEmpty)
    }

    @Test func theKeyIsReportedWithTheOtherProblems() throws {
        let config = try ProxyConfiguration.make(
            routes: [["name": "ss", "pathPrefix": "/auth/", "upstream": "http://127.0.0.1:1"]], jwtPrivateKeyPEM: "not a key")
        do {
            try Gateway.validate(config)
            Issue.record("validated")
        } catch {
            #expect(error.issues.map(\.description) == [
                "routes[0].pathPrefix: '/auth/' is answered by Gatehouse itself, so the route is unreachable",
                "keys.jwtPrivateKey: must be the PEM of a P-256 private key",
            ])
        }
    }

    @Test func aValidSigningKeyPasses() throws {
        let (path, run) = try Self.checkConfig(keys: ["jwtPrivateKey": ES256PrivateKey().pemRepresentation])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.hasPrefix("\(path): OK\n"))
        #expect(run.errors.isEmpty)
    }
}
