// Route matching on a client's path: ProxyPath normalization and safety, RouteTable matching, the
// upstream path, and the rewriting of an upstream's `Location`. Input lines: path, Host, method,
// Location (each optional).
import FuzzSupport
import GatehouseCore
@testable import Proxy

let upstreams = ["http://127.0.0.1:8081", "http://127.0.0.1:8082/base/", "https://LEGACY.example:8443/app"]

let table = RouteTable([
    RouteSettings(
        name: "root", pathPrefix: "/", upstreams: [upstreams[0]], host: nil, methods: [], stripPrefix: false,
        policy: .public, roles: [], timeoutSeconds: 30, legacySession: nil),
    RouteSettings(
        name: "crm", pathPrefix: "/crm/", upstreams: [upstreams[1]], host: nil, methods: [], stripPrefix: true,
        policy: .authenticated, roles: [], timeoutSeconds: 30, legacySession: nil),
    RouteSettings(
        name: "crm-host", pathPrefix: "/crm", upstreams: [upstreams[2]], host: "app.example", methods: ["GET"],
        stripPrefix: true, policy: .authenticated, roles: ["admin"], timeoutSeconds: 30, legacySession: nil),
    RouteSettings(
        name: "admin", pathPrefix: "/Admin/Deep/", upstreams: upstreams, host: nil, methods: ["POST", "PUT"],
        stripPrefix: false, policy: .authenticated, roles: ["admin"], timeoutSeconds: 30, legacySession: "local"),
])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyPath(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let lines = FuzzInput.lines(FuzzInput(data, count).bytes)
    let path = lines[0]
    let host = lines.count > 1 ? lines[1] : nil
    let method = lines.count > 2 ? lines[2] : "GET"
    let location = lines.count > 3 ? lines[3] : path

    let normalized = ProxyPath.normalized(path)
    if let normalized {
        // The proxy normalizes a request's path twice (to route it, then to forward it): both must agree.
        precondition(ProxyPath.normalized(normalized) == normalized, "normalizing is not idempotent")
        _ = ProxyPath.isSafe(normalized)
    }
    _ = ProxyPath.isSafe(path)
    _ = RouteTable.hostName(host ?? "")
    if let route = table.match(method: method, host: host, path: normalized ?? path) {
        let upstreamPath = route.upstreamPath(for: normalized ?? path)
        // Only a safe path is forwarded (`ReverseProxy.handle`): it must stay a path.
        if let normalized, ProxyPath.isSafe(normalized) {
            precondition(upstreamPath.utf8.first == UInt8(ascii: "/"), "an upstream path must start with /")
        }
        for base in route.settings.upstreams {
            _ = route.clientLocation(location, upstream: base)
            _ = ReverseProxy.join(base, upstreamPath)
        }
    }
    _ = ReverseProxy.origin(of: location)
    return 0
}
