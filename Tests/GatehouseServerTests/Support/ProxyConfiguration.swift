import Foundation
import GatehouseCore
import GatehouseTesting

/// The test configuration plus `routes`, `proxy` and (optionally) a known JWT signing key.
enum ProxyConfiguration {
    static func make(
        routes: [[String: Any]], proxy: [String: Any]? = nil, jwtPrivateKeyPEM: String? = nil, authenticators: [[String: Any]]? = nil,
        authz: [String: Any]? = nil
    ) throws -> GatewayConfig {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-proxy-\(UUID().uuidString)").path
        let base = Data(TestConfiguration.json(stateDirectory: directory).utf8)
        guard var document = try JSONSerialization.jsonObject(with: base) as? [String: Any] else {
            throw ConfigError(issues: [ConfigIssue(path: "(root)", message: "test configuration is not an object")])
        }
        document["routes"] = routes
        if let authenticators { document["authenticators"] = authenticators }
        if let proxy { document["proxy"] = proxy }
        if let authz { document["authz"] = authz }
        if let jwtPrivateKeyPEM { document["keys"] = ["jwtPrivateKey": jwtPrivateKeyPEM] }
        let data = try JSONSerialization.data(withJSONObject: document)
        return try GatewayConfig.parse(Array(data))
    }

    /// One authenticated route `/app` → `upstream`, prefix stripped.
    static func app(_ upstream: String, extra: [String: Any] = [:]) -> [String: Any] {
        ["name": "app", "pathPrefix": "/app/", "upstream": upstream, "stripPrefix": true, "policy": "authenticated"]
            .merging(extra) { $1 }
    }
}
