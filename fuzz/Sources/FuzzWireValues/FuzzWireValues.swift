// The small parsers under every dialect: JSON documents, percent-encoding and forms, `Accept`
// negotiation, ServiceStack's `jsconfig`, route paths and JSV maps. Input: a mode byte, then the value.
import FuzzSupport
import GatehouseCore
@testable import Dialects

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireValues(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let (mode, rest) = FuzzInput(data, count).modeAndRest
    let text = String(decoding: rest, as: UTF8.self)
    switch mode % 6 {
    case 0:
        // What Gatehouse writes back from a parsed document must parse again.
        if let value = JSONValue.parse(rest) {
            precondition(JSONValue.parse(value.bytes) != nil, "JSONValue wrote JSON it cannot read")
            _ = value.member(caseInsensitive: "UserName")
        }
    case 1:
        let (path, query) = splitTarget(text)
        _ = parseFormEncoded(Substring(text))
        _ = percentDecode(Substring(path))
        precondition(percentDecode(Substring(percentEncode(text))) == text, "percent-encoding does not round-trip")
        for (name, value) in query { _ = percentEncode(name + value) }
    case 2:
        _ = WebAPINegotiation.format(accept: FuzzInput.lines(rest))
    case 3:
        _ = ServiceStackTextCase.fromJSConfig(text)
        _ = ServiceStackTextCase.camelCase(setting: .auto, jsconfig: text, memberNames: text.split(separator: ",").map(String.init))
        _ = ServiceStackRoute(path: text)
    case 4:
        // Form and query values bind through the same binder as JSON members.
        var binder = ServiceStackBinder(query: parseFormEncoded(Substring(text)).map { (name: $0.0, value: $0.1) }, body: [])
        _ = ServiceStackAuthenticate(&binder, pathProvider: nil)
        _ = ServiceStackGetAccessToken(&binder)
    default:
        let body = ServiceStackBody(WireRequest(method: "POST", path: "/auth", headers: WireHeaders([("Content-Type", "application/json")]), body: rest))
        if case .fields(let fields) = body {
            var binder = ServiceStackBinder(query: [], body: fields)
            _ = ServiceStackAuthenticate(&binder, pathProvider: "credentials")
        }
    }
    return 0
}
