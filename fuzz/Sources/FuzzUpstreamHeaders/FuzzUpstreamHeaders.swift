// An upstream's response header lines as libcurl hands them over (one per callback, CRLF kept),
// then what the proxy makes of them for the client. Input: the header block.
import FuzzSupport
@testable import Proxy
@testable import Upstream

let route = ProxyRoute(.init(
    name: "crm", pathPrefix: "/crm/", upstreams: ["http://127.0.0.1:8082/base/"], host: nil, methods: [], stripPrefix: true,
    policy: .public, roles: [], timeoutSeconds: 30, legacySession: nil))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpstreamHeaders(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzInput(data, count).bytes
    var parser = ResponseHeaderParser()
    var start = 0
    while start < bytes.count {
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
        parser.consume(Array(bytes[start..<end]))
        start = end
    }
    _ = parser.status
    let headers = HeaderRewrite.response(parser.headers).map { name, value in
        name.equalsIgnoringASCIICase("location") ? (name, route.clientLocation(value, upstream: "http://127.0.0.1:8082/base/")) : (name, value)
    }
    _ = ReverseProxy.contentLength(of: headers)
    return 0
}
