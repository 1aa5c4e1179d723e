import CoreMetrics
import GatehouseCore
import Metrics
import Prometheus
import Synchronization

/// The series `/metrics` shows, recorded through swift-metrics into one swift-prometheus registry.
///
/// Each gateway owns its registry (tests run several gateways in one process), and the handlers a
/// request records into are made once per label set and kept: recording is then an atomic add or one
/// histogram's lock, and a scrape only takes those same short locks, so it never holds a request up.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Sign-ins take a password hash (about 0.3 s by design); proxied answers take milliseconds.
        factory.durationHistogramBuckets = [
            Self.signInDuration: [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                  .milliseconds(2500), .seconds(5), .seconds(10)],
            Self.upstreamDuration: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                    .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                    .milliseconds(2500), .seconds(5), .seconds(10)],
        ]
        self.factory = factory
    }

    static let signIns = "gatehouse_signin_attempts_total"
    static let signInDuration = "gatehouse_signin_duration_seconds"
    static let signOuts = "gatehouse_signouts_total"
    static let lockouts = "gatehouse_lockouts_total"
    static let proxied = "gatehouse_proxy_requests_total"
    static let upstreamDuration = "gatehouse_proxy_upstream_duration_seconds"

    /// One sign-in's outcome (`granted`, or the denial's reason id) and how long its answer took.
    func signIn(dialect: DialectID, outcome: String, authenticator: String, duration: Duration) {
        counter(Self.signIns, [("dialect", dialect.rawValue), ("outcome", outcome), ("authenticator", authenticator)]).increment()
        timer(Self.signInDuration, [("dialect", dialect.rawValue)]).record(duration: duration)
    }

    func signOut(dialect: DialectID) {
        counter(Self.signOuts, [("dialect", dialect.rawValue)]).increment()
    }

    /// An account or a client address locked (`scope`: `account` or `address`).
    func lockout(dialect: DialectID, scope: String) {
        counter(Self.lockouts, [("dialect", dialect.rawValue), ("scope", scope)]).increment()
    }

    /// One proxied answer; `upstream` is how long the upstream took to its response head, nil when
    /// Gatehouse answered itself (refused, or the upstream unreachable).
    func proxied(route: String, status: Int, upstream: Duration?) {
        answers(route: route, statusClass: Self.statusClass(status)).increment()
        if let upstream { upstreamTimer(route: route).record(duration: upstream) }
    }

    /// The series of one route's proxied answers of one status class, as a connection keeps them.
    struct ProxiedSeries {
        /// The registry's owner: a reloaded gateway records into its own.
        fileprivate let metrics: GatewayMetrics
        fileprivate let route: String
        fileprivate let statusClass: String
        fileprivate let answers: CoreMetrics.Counter
        fileprivate let upstream: CoreMetrics.Timer
    }

    /// `proxied(route:status:upstream:)` for one connection's answers from the upstream: `series` is what
    /// its last answer went to, reused while the route and status class are the same (most often), with
    /// no key built and no lock taken.
    func proxied(route: String, status: Int, upstream: Duration, series: inout ProxiedSeries?) {
        let statusClass = Self.statusClass(status)
        let kept: ProxiedSeries
        if let last = series, last.metrics === self, last.route == route, last.statusClass == statusClass {
            kept = last
        } else {
            kept = ProxiedSeries(
                metrics: self, route: route, statusClass: statusClass, answers: answers(route: route, statusClass: statusClass),
                upstream: upstreamTimer(route: route))
            series = kept
        }
        kept.answers.increment()
        kept.upstream.record(duration: upstream)
    }

    private func answers(route: String, statusClass: String) -> CoreMetrics.Counter {
        counter(Self.proxied, [("route", route), ("status_class", statusClass)])
    }

    private func upstreamTimer(route: String) -> CoreMetrics.Timer {
        timer(Self.upstreamDuration, [("route", route)])
    }

    /// `2xx`, `4xx`, …
    static func statusClass(_ status: Int) -> String {
        switch status {
        case 100..<200: "1xx"
        case 200..<300: "2xx"
        case 300..<400: "3xx"
        case 400..<500: "4xx"
        default: "5xx"
        }
    }

    /// The exposition: Prometheus text format 0.0.4.
    public func render() -> [UInt8] { registry.emitToBuffer() }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.reduce(name) { $0 + "\u{0}" + $1.0 + "=" + $1.1 }
    }

    private func counter(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Counter {
        let key = Self.key(name, labels)
        if let known = counters.withLock({ $0[key] }) { return known }
        let made = CoreMetrics.Counter(label: name, dimensions: labels, factory: factory)
        // Kept, so the next request finds it: a subscript read with a default inserts nothing.
        return counters.withLock { counters in
            if let known = counters[key] { return known }
            counters[key] = made
            return made
        }
    }

    private func timer(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Timer {
        let key = Self.key(name, labels)
        if let known = timers.withLock({ $0[key] }) { return known }
        let made = CoreMetrics.Timer(label: name, dimensions: labels, factory: factory)
        return timers.withLock { timers in
            if let known = timers[key] { return known }
            timers[key] = made
            return made
        }
    }
}
