// Web API's XML `ClientCredentials` body (XMLCoder behind a DTD check and a prolog reader), then
// validation. Input: the body.
import FuzzSupport
@testable import Dialects

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebAPIXML(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(data, count)
    _ = WebAPIXMLProlog(input.text)
    if case .success(let credentials) = WebAPIClientCredentials.read(input.bytes, as: .xml) {
        _ = credentials.validated()
    }
    return 0
}
