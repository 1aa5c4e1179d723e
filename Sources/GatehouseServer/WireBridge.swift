import Dialects
import HTTPTypes
import Hummingbird
import NIOCore

extension WireRequest {
    /// The wire view of a Hummingbird request, its body collected up to `maxBodyBytes`.
    static func collect(_ request: Request, remoteAddress: SocketAddress?, maxBodyBytes: Int) async -> WireRequest {
        var body: [UInt8] = []
        var tooLarge = false
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            body = Array(buffer.readableBytesView)
        } catch {
            tooLarge = true
        }
        let query = request.uri.query.map { parseFormEncoded(Substring($0)) } ?? []
        var headers = WireHeaders()
        for field in request.headers { headers.add(field.name.rawName, field.value) }
        if let authority = request.head.authority, headers["Host"] == nil { headers.add("Host", authority) }
        return WireRequest(
            method: request.method.rawValue, path: request.uri.path, query: query, headers: headers, body: body,
            bodyTooLarge: tooLarge, remoteAddress: remoteAddress?.ipAddress)
    }
}

extension WireResponse {
    /// The Hummingbird response carrying this status, these headers (repeats kept) and body.
    var hummingbirdResponse: Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
