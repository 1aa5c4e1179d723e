import Foundation
import GatehouseCore
import GatehouseServer
import GatehouseTesting
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Lines a gateway wrote, kept in memory.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[[UInt8]]>([])

    var sink: LogSink { LogSink { [self] line in lines.withLock { $0.append(line) } } }
    var text: String { lines.withLock { $0.map { String(decoding: $0, as: UTF8.self) }.joined() } }
    /// Every line, parsed; a line that is not one JSON object fails the test.
    var objects: [JSONValue] {
        lines.withLock { $0 }.map { line in
            let parsed = JSONValue.parse(Array(line.dropLast()))
            #expect(line.last == 0x0A && parsed != nil, "not one JSON object per line: \(String(decoding: line, as: UTF8.self))")
            return parsed ?? .null
        }
    }

    func logger() -> Logger {
        var logger = Logger(label: "gatehouse") { [sink] label in
            JSONLogHandler(label: label, sink: sink, metadataProvider: RequestLogContext.metadataProvider)
        }
        logger.logLevel = .info
        return logger
    }
}

/// Runs `test` against a live gateway whose log lines are captured as JSON.
func withObservedGateway(
    _ config: GatewayConfig? = nil, _ test: @escaping @Sendable (GatewayClient, CapturedLogs, RunningGateway) async throws -> Void
) async throws {
    let logs = CapturedLogs()
    let (app, running) = try await GatehouseApplication.makeRunning(config: try config ?? TestConfiguration.make(), port: 0, logger: logs.logger())
    try await app.test(.live) { client in try await test(GatewayClient(client: client), logs, running) }
}

/// One sample of the Prometheus text exposition: `name{labels} value`.
struct Sample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// Parses the Prometheus text format (0.0.4): `# TYPE` lines and samples; anything else fails.
func parsePrometheus(_ text: String) -> (types: [String: String], samples: [Sample]) {
    var types: [String: String] = [:]
    var samples: [Sample] = []
    for line in text.split(separator: "\n") {
        if line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts.count == 4 { types[String(parts[2])] = String(parts[3]) } else { Issue.record("bad TYPE line: \(line)") }
            continue
        }
        if line.hasPrefix("#") { continue }
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            Issue.record("bad sample line: \(line)")
            continue
        }
        let series = line[..<space]
        var labels: [String: String] = [:]
        var name = String(series)
        if let open = series.firstIndex(of: "{"), series.last == "}" {
            name = String(series[..<open])
            let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
            for pair in body.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, kv[1].hasPrefix("\""), kv[1].hasSuffix("\"") else {
                    Issue.record("bad label in \(line)")
                    continue
                }
                labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
            }
        }
        #expect(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }, "bad metric name \(name)")
        samples.append(Sample(name: name, labels: labels, value: value))
    }
    return (types, samples)
}

@Suite struct ObservabilityTests {
    static let wrongPassword = "wrong-Pa55word-never-logged"

    /// A wrong password at each door that takes one.
    static let wrongSignIns: [(DialectID, String, String)] = [
        (.aspnet, "/1/SignIn", #"{"UserName":"Admin","Password":"\#(wrongPassword)"}"#),
        (.webapi, "/api/Account/SignIn", #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"\#(wrongPassword)"}"#),
        (.baas, "/v2/auth/signin", #"{"username":"Admin","password":"\#(wrongPassword)"}"#),
        (.servicestack, "/auth/credentials", #"{"UserName":"Admin","Password":"\#(wrongPassword)"}"#),
    ]

    @Test func everyRequestHasAnAccessLineEverySignInAnAuditLineAndNoSecretIsLogged() async throws {
        try await withObservedGateway { client, logs, _ in
            var secrets = Array(TestConfiguration.passwords.values) + [Self.wrongPassword, TestConfiguration.apiKey]
            var sent: [String] = []
            func tagged(_ n: Int) -> [(String, String)] {
                let id = "req-\(n)"
                sent.append(id)
                return [("X-Request-Id", id), ("X-Api-Key", TestConfiguration.apiKey)]
            }
            // Right passwords at all five doors (SSO through a bearer), then each artifact presented.
            let web = try await client.post(
                "/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#,
                headers: tagged(1))
            let jwt = try #require(web.json?["access_token"]?.stringValue)
            let baas = try await client.post("/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#, headers: tagged(2))
            let session = try #require(baas.json?["sessionToken"]?.stringValue)
            let ss = try await client.post("/auth/credentials", json: #"{"UserName":"Admin","Password":"admin-pass"}"#, headers: tagged(3))
            let bearer = try #require(ss.json?["BearerToken"]?.stringValue)
            let ssRefresh = try #require(ss.json?["RefreshToken"]?.stringValue)
            let ssID = try #require(ss.cookie("ss-id"))
            let ssPID = try #require(ss.cookie("ss-pid"))
            let asp = try await client.post("/1/SignIn", json: #"{"UserName":"Admin","Password":"admin-pass"}"#, headers: tagged(4))
            let ticket = try #require(asp.cookie(".AspNet.ApplicationCookie"))
            let sso = try await client.send("POST", "/api/v2/sso/signin/", headers: tagged(5) + [("Authorization", "Bearer \(jwt)")])
            #expect(sso.status == 200)
            // A token in a query string: whatever the answer, the access line's path has no query.
            _ = try await client.get("/auth?ss-tok=\(bearer)&format=json", headers: tagged(6))
            #expect(try await client.get("/auth", headers: tagged(7) + [("Cookie", "ss-id=\(ssID); ss-pid=\(ssPID)")]).status == 200)
            secrets += [jwt, session, bearer, ssRefresh, ssID, ssPID, ticket]
            // Wrong passwords at the four password doors.
            var n = 10
            for (dialect, path, body) in Self.wrongSignIns {
                n += 1
                let reply = try await client.post(path, json: body, headers: tagged(n))
                #expect([200, 400, 401].contains(reply.status), "\(dialect): \(reply.status)")
            }
            // Sign out through ServiceStack and ASP.NET.
            #expect(try await client.send("POST", "/auth/logout", headers: tagged(20) + [("Cookie", "ss-id=\(ssID)")]).status == 200)
            #expect(try await client.send("POST", "/1/SignOut", headers: tagged(21) + [("Cookie", ".AspNet.ApplicationCookie=\(ticket)")]).status == 200)
            #expect(try await client.get("/healthz", headers: tagged(22)).status == 200)

            let lines = logs.objects
            let text = logs.text
            for secret in secrets where secret.count >= 8 {
                #expect(!text.contains(secret), "a secret reached the log: \(secret.prefix(4))…")
            }
            // One access line per request, each with the fields an operator queries.
            let access = lines.filter { $0["event"] == .string("access") }
            #expect(access.compactMap { $0["request_id"]?.stringValue }.sorted() == sent.sorted())
            for line in access {
                #expect(line["level"] == .string("info"))
                #expect(line["method"]?.stringValue != nil && line["route"]?.stringValue != nil)
                guard case .int? = line["status"] else { Issue.record("status is not a number: \(line)"); continue }
                guard case .double? = line["duration_ms"] else { Issue.record("duration_ms is not a number: \(line)"); continue }
                #expect(line["path"]?.stringValue?.contains("?") == false)
            }
            let first = try #require(access.first { $0["request_id"] == .string("req-1") })
            #expect(first["method"] == .string("POST"))
            #expect(first["path"] == .string("/api/Account/SignIn"))
            #expect(first["status"] == .int(200))
            #expect(first["route"] == .string("dialect:webapi"))
            #expect(access.first { $0["request_id"] == .string("req-6") }?["path"] == .string("/auth"))
            #expect(access.first { $0["request_id"] == .string("req-22") }?["route"] == .string("gatehouse"))

            // One audit line per sign-in: five granted, four denied, each with its stable reason id.
            let signIns = lines.filter { $0["event"] == .string("sign_in") }
            let granted = signIns.filter { $0["outcome"] == .string("granted") }
            #expect(granted.compactMap { $0["dialect"]?.stringValue }.sorted() == ["aspnet", "baas", "servicestack", "sso", "webapi"])
            for line in granted {
                #expect(line["subject"] != nil && line["authenticator"] == .string("local") && line["client"] == .string("127.0.0.1"))
            }
            let denied = signIns.filter { $0["outcome"] == .string("denied") }
            #expect(denied.compactMap { $0["dialect"]?.stringValue }.sorted() == ["aspnet", "baas", "servicestack", "webapi"])
            for line in denied {
                #expect(line["reason"] == .string("invalid_credentials"))
                #expect(line["level"] == .string("info"))
            }
            #expect(denied.first { $0["dialect"] == .string("webapi") }?["login"] == .string("admin@example.com"))
            // The audit line of a request carries its request id.
            #expect(signIns.first { $0["dialect"] == .string("webapi") && $0["outcome"] == .string("granted") }?["request_id"] == .string("req-1"))
            let signOuts = lines.filter { $0["event"] == .string("sign_out") }
            #expect(signOuts.compactMap { $0["dialect"]?.stringValue }.sorted() == ["aspnet", "servicestack"])
        }
    }

    @Test func aLockoutIsAuditedAndCounted() async throws {
        var config = try TestConfiguration.make()
        config.lockout.account = LockoutRule(maxFailures: 2, windowSeconds: 60, lockSeconds: 60)
        try await withObservedGateway(config) { client, logs, _ in
            for _ in 0..<2 {
                _ = try await client.post("/auth/credentials", json: #"{"UserName":"editor","Password":"\#(Self.wrongPassword)"}"#)
            }
            let lockouts = logs.objects.filter { $0["event"] == .string("lockout") }
            #expect(lockouts.count == 1)
            #expect(lockouts.first?["login"] == .string("editor"))
            #expect(lockouts.first?["scope"] == .string("account"))
            #expect(lockouts.first?["dialect"] == .string("servicestack"))
            #expect(lockouts.first?["retry_after_s"] == .int(60))
            let metrics = parsePrometheus(try await client.get("/metrics").text)
            #expect(metrics.samples.contains(Sample(
                name: "gatehouse_lockouts_total", labels: ["dialect": "servicestack", "scope": "account"], value: 1)))
            #expect(metrics.samples.contains(Sample(
                name: "gatehouse_signin_attempts_total",
                labels: ["dialect": "servicestack", "outcome": "locked_out", "authenticator": "none"], value: 1)))
        }
    }

    @Test func metricsAfterRealTrafficParseAsPrometheusText() async throws {
        try await LoopbackServer.run(EchoUpstream.router()) { port in
            let config = try ProxyConfiguration.make(routes: [ProxyConfiguration.app("http://127.0.0.1:\(port)")])
            try await withObservedGateway(config) { client, _, _ in
                let good = #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"admin-pass"}"#
                let reply = try await client.post("/api/Account/SignIn", json: good)
                let jwt = try #require(reply.json?["access_token"]?.stringValue)
                for _ in 0..<2 {
                    _ = try await client.post("/api/Account/SignIn", json: #"{"grant_type":"password","client_id":"admin@example.com","client_secret":"nope-nope"}"#)
                }
                for _ in 0..<3 {
                    #expect(try await client.get("/app/echo/x", headers: [("Authorization", "Bearer \(jwt)")]).status == 200)
                }
                #expect(try await client.get("/app/echo/x").status == 401)

                let scrape = try await client.get("/metrics")
                #expect(scrape.status == 200)
                #expect(scrape.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
                let (types, samples) = parsePrometheus(scrape.text)
                func value(_ name: String, _ labels: [String: String]) -> Double? {
                    samples.first { $0.name == name && $0.labels == labels }?.value
                }
                #expect(types["gatehouse_signin_attempts_total"] == "counter")
                #expect(types["gatehouse_signin_duration_seconds"] == "histogram")
                #expect(types["gatehouse_proxy_requests_total"] == "counter")
                #expect(types["gatehouse_proxy_upstream_duration_seconds"] == "histogram")
                #expect(value("gatehouse_signin_attempts_total", ["dialect": "webapi", "outcome": "granted", "authenticator": "local"]) == 1)
                #expect(value("gatehouse_signin_attempts_total", ["dialect": "webapi", "outcome": "invalid_credentials", "authenticator": "none"]) == 2)
                #expect(value("gatehouse_signin_duration_seconds_count", ["dialect": "webapi"]) == 3)
                #expect(value("gatehouse_signin_duration_seconds_bucket", ["dialect": "webapi", "le": "+Inf"]) == 3)
                #expect(value("gatehouse_proxy_requests_total", ["route": "app", "status_class": "2xx"]) == 3)
                #expect(value("gatehouse_proxy_requests_total", ["route": "app", "status_class": "4xx"]) == 1)
                #expect(value("gatehouse_proxy_upstream_duration_seconds_count", ["route": "app"]) == 3)
                let sum = try #require(value("gatehouse_proxy_upstream_duration_seconds_sum", ["route": "app"]))
                #expect(sum > 0 && sum < 30)
                // Every series is ours, named by the conventions.
                for sample in samples {
                    #expect(sample.name.hasPrefix("gatehouse_"))
                }
                for (name, type) in types {
                    #expect(type == "counter" ? name.hasSuffix("_total") : name.hasSuffix("_seconds"), "\(name) \(type)")
                }
            }
        }
    }

    @Test func healthAndReadinessWithTheStoreUp() async throws {
        try await withObservedGateway { client, _, _ in
            let health = try await client.get("/healthz")
            #expect(health.status == 200)
            #expect(health.text == #"{"status":"ok"}"#)
            let headHealth = try await client.send("HEAD", "/healthz")
            #expect(headHealth.status == 200)
            #expect(headHealth.body.isEmpty)
            let headReady = try await client.send("HEAD", "/readyz")
            #expect(headReady.status == 200)
            let ready = try await client.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.text == #"{"status":"ready","checks":{"store":"ok","configuration":"ok"}}"#)
            #expect(ready.header("Cache-Control") == "no-store")
            let document = try await client.get("/openapi.json")
            #expect(document.status == 200)
            #expect(document.json?["openapi"] == .string("3.1.0"))
        }
    }

    @Test func aGoodReloadKeepsGrantsAndABadOneKeepsTheRunningConfiguration() async throws {
        let config = try TestConfiguration.make()
        try await withObservedGateway(config) { client, logs, running in
            let token = try await OneIdentityManyDoorsTests.signIn(.webapiJWT, client)
            var changed = config
            changed.dialects.baas.enabled = false
            try await running.apply(changed)
            // The grant survives: the token still opens SSO; the switched-off door is gone.
            #expect(try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")]).status == 200)
            let baas = try await client.post("/v2/auth/signin", json: #"{"username":"Admin","password":"admin-pass"}"#,
                                             headers: [("X-Api-Key", TestConfiguration.apiKey)])
            #expect(baas.status == 404)

            var bad = changed
            bad.routes = [try #require(try ProxyConfiguration.make(routes: [["name": "x", "pathPrefix": "/auth", "upstream": "http://127.0.0.1:9", "policy": "public"]]).routes.first)]
            await #expect(throws: ConfigError.self) { try await running.apply(bad) }
            #expect(running.config.routes.isEmpty)
            #expect(try await client.send("POST", "/api/v2/sso/signin/", headers: [("Authorization", "Bearer \(token)")]).status == 200)
            #expect(logs.objects.contains { $0["message"] == .string("configuration reloaded") })
        }
    }
}
