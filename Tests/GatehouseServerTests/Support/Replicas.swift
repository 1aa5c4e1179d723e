import Foundation
import GatehouseTesting

/// Two `gatehouse` processes on one PostgreSQL database, each with a state directory of its own (no
/// shared disk): what an operator runs behind a load balancer.
final class Replicas: Sendable {
    let configPaths: [String]
    let processes: [GatehouseProcess]

    private init(configPaths: [String], processes: [GatehouseProcess]) {
        self.configPaths = configPaths
        self.processes = processes
    }

    var a: GatewayClient { GatewayClient(port: processes[0].port) }
    var b: GatewayClient { GatewayClient(port: processes[1].port) }

    /// Starts `count` replicas on the database at `storeURL`; `lockout` is the `lockout` section, if any.
    static func start(
        storeURL: String, lockout: [String: Any]? = nil, keys: [String: Any]? = nil, count: Int = 2
    ) async throws -> Replicas {
        // A generous timeout: the suite shares two cores with the database; outages are DatabaseOutageTests' to test.
        try await start(store: ["type": "postgres", "url": storeURL, "timeoutSeconds": 15], lockout: lockout, keys: keys, count: count)
    }

    /// Starts `count` processes with `store` as their `store` section (a `sqlite` one lives in each one's
    /// own state directory).
    static func start(
        store: [String: Any], lockout: [String: Any]? = nil, keys: [String: Any]? = nil, count: Int
    ) async throws -> Replicas {
        var paths: [String] = []
        for _ in 0..<count {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-replica-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let base = try JSONSerialization.jsonObject(with: Data(TestConfiguration.json(stateDirectory: directory.path).utf8))
            guard var document = base as? [String: Any] else {
                throw GatehouseProcess.StartFailure(description: "the test configuration is not an object")
            }
            document["store"] = store
            if let lockout { document["lockout"] = lockout }
            if let keys { document["keys"] = keys }
            let path = directory.appendingPathComponent("gateway.json").path
            try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        return try await Replicas(configPaths: paths, processes: startAll(paths))
    }

    /// Stops every replica and starts them all again on the same files.
    func restarted() async throws -> Replicas {
        stop()
        return try await Replicas(configPaths: configPaths, processes: Self.startAll(configPaths))
    }

    func stop() {
        for process in processes { process.stop() }
    }

    private static func startAll(_ paths: [String]) async throws -> [GatehouseProcess] {
        var started: [GatehouseProcess] = []
        for path in paths { started.append(try await GatehouseProcess.start(configPath: path)) }
        return started
    }
}
