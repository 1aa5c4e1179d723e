// A legacy upstream's answer to a sign-in, read by each dialect's upstream authenticator. Input:
// a mode byte (which dialect), then `status` on the first line, header lines, a blank line, the body.
import FuzzSupport
import GatehouseCore
import Upstream
@testable import Authentication

let legacy: [any LegacySignIn] = [
    AspNetLegacySignIn(), SSOLegacySignIn(), WebAPILegacySignIn(), BaaSLegacySignIn(apiKey: "key"), ServiceStackLegacySignIn(),
]
let request = SignInRequest(credential: .bearer("client-token"), dialect: .servicestack)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLegacyAnswers(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let (mode, rest) = FuzzInput(data, count).modeAndRest
    let wire = FuzzInput(rest).wireRequest
    // The request line's first word stands for the status.
    let status = Int(wire.method) ?? 200
    let response = UpstreamResponse(status: status, headers: wire.headers.entries.map { ($0.name, $0.value) }, body: wire.body)
    let signIn = legacy[Int(mode) % legacy.count]
    _ = try? signIn.identity(from: response, authenticator: "crm")
    let kept = signIn.artifacts(from: response, for: request)
    _ = signIn.signOutRequest(upstreamArtifacts: kept, signInURL: "http://127.0.0.1:8081/auth/credentials")
    return 0
}
