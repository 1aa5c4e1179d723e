import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading requests and writing answers, for the fake legacy systems.
enum FakeHTTP {
    /// A request body is small in every dialect; anything larger is not a sign-in.
    static let bodyLimit = 65_536

    /// The request body's bytes (empty when too large).
    static func body(_ request: Request) async -> [UInt8] {
        guard let buffer = try? await request.body.collect(upTo: bodyLimit) else { return [] }
        return Array(buffer.readableBytesView)
    }

    /// The media type of the request body, lower-cased, without parameters.
    static func mediaType(_ request: Request) -> String {
        let value = request.headers[.contentType] ?? ""
        return value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// The token of an `Authorization: Bearer <token>` header.
    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// `application/x-www-form-urlencoded` pairs (or a query string), decoded.
    static func form(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring?) -> String {
                String(part ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (decode(parts.first), decode(parts.count > 1 ? parts[1] : nil))
        }
    }

    /// An answer with `body` as its bytes.
    static func answer(_ status: Int, _ body: [UInt8], contentType: String, headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON answer; `Set-Cookie` and other headers may repeat in `headers`.
    static func json(
        _ status: Int, _ body: JSONValue, contentType: String = "application/json; charset=utf-8", headers: [(String, String)] = []
    ) -> Response {
        answer(status, body.bytes, contentType: contentType, headers: headers)
    }
}
