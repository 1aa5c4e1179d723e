// Header rewriting both ways and the artifacts a proxied request presents. Input: a mode byte
// (which caller the request has), then `Name: value` lines.
import Dialects
import Foundation
import FuzzSupport
import GatehouseCore
@testable import Proxy

let settings = ProxySettings(assertionHeader: "X-Auth-Assertion")
let identity = Identity(
    subject: "a564ef59-085b-4803-b514-37288e32709e", userName: "ann", email: EmailAddresses(primary: "ann@example.com"),
    roles: [Role(name: "admin", id: "7fce52a4", displayName: "Admin")], createdAt: Date(timeIntervalSince1970: 0),
    updatedAt: Date(timeIntervalSince1970: 0), authenticator: "local")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyHeaders(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let (mode, rest) = FuzzInput(data, count).modeAndRest
    let headers = FuzzInput.headers(FuzzInput.lines(rest))

    _ = PresentedArtifacts.find(in: headers)
    _ = PresentedArtifacts.cookies(in: headers)
    for (_, value) in headers { _ = PresentedArtifacts.bearerToken(value) }

    let signedIn = mode & 1 != 0
    var caller = HeaderRewrite.Caller(
        identity: signedIn ? identity : nil, authorizationWasOurs: mode & 2 != 0, methodIsRestricted: mode & 4 != 0,
        clientAddress: mode & 8 != 0 ? "127.0.0.1" : nil, requestID: "req-1")
    if mode & 16 != 0 { caller.assertion = "eyJ.assertion.sig" }
    if mode & 32 != 0 { caller.upstreamArtifacts = ["cookie:ss-id": "legacy\r\nid", "bearer": "legacy-token"] }
    let upstream = HeaderRewrite.request(headers, caller: caller, settings: settings)
    // Strip before inject: the identity headers the upstream sees are only the ones the proxy set.
    for name in settings.identityHeaders {
        let copies = upstream.filter { $0.0.equalsIgnoringASCIICase(name.lowercased()) }.count
        let expected = name == settings.assertionHeader ? (caller.assertion == nil ? 0 : 1) : (signedIn ? 1 : 0)
        precondition(copies == expected, "identity header \(name) spoofable")
    }
    _ = HeaderRewrite.response(headers)

    // The dialects' view of the same headers.
    let wire = WireHeaders(headers)
    _ = wire.cookies
    _ = wire.bearerToken
    _ = wire.mediaType
    return 0
}
