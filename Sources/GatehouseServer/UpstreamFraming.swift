import GatehouseCore
import CZlib
import Foundation
import NIOCore

/// Before NIO's response decoder on an upstream connection: makes the framing of an answer's head one
/// the decoder reads as RFC 9112 §6.3 says an intermediary must, and notes a transfer coding to undo.
///
/// NIO's parser is strict and has no lenient setting: an answer with both `Transfer-Encoding` and
/// `Content-Length` is an error to it, where the RFC says the transfer coding frames the body and the
/// length is to be removed; and it passes a body in `gzip, chunked` on still compressed, while a
/// transfer coding is hop-by-hop and must be undone before the body goes on (libcurl, on the other
/// path, does both). Only heads that name `Transfer-Encoding` are rewritten: every other answer
/// passes as read, after one scan for the end of its head.
final class UpstreamFramingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The transfer coding of the current answer's body, besides `chunked`.
    enum Coding {
        case identity
        case gzip
        /// One nothing here can undo: the answer cannot be passed on.
        case unsupported
    }

    private(set) var coding = Coding.identity
    private var awaitingHead = false
    private var gathered: ByteBuffer?
    /// Longer heads go to the decoder as they are, which refuses them.
    static let maxHeadBytes = 80 * 1024

    /// A request went out: what comes next starts with an answer's head.
    func expectHead() {
        awaitingHead = true
        coding = .identity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard awaitingHead else {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if var earlier = gathered {
            earlier.writeBuffer(&bytes)
            bytes = earlier
        }
        gathered = nil
        while awaitingHead {
            guard let headLength = Self.headLength(bytes) else {
                if bytes.readableBytes > Self.maxHeadBytes {
                    awaitingHead = false
                    break
                }
                gathered = bytes
                return
            }
            guard let head = bytes.readSlice(length: headLength) else { break }
            let (rewritten, status) = rewrite(head)
            // A 1xx answer is followed by the final one (101 is not: the connection is then another protocol).
            awaitingHead = (100..<200).contains(status) && status != 101
            context.fireChannelRead(wrapInboundOut(rewritten))
        }
        if bytes.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(bytes)) }
    }

    /// The length of the head at the start of `bytes`, up to and including its empty line; nil while incomplete.
    static func headLength(_ bytes: ByteBuffer) -> Int? {
        // From CR to CR by `memchr`: every answer's head is scanned.
        bytes.withUnsafeReadableBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            var index = 0
            while index + 3 < raw.count, let cr = memchr(base + index, Int32(UInt8(ascii: "\r")), raw.count - 3 - index) {
                let at = UnsafeRawPointer(cr) - base
                if raw[at + 1] == UInt8(ascii: "\n"), raw[at + 2] == UInt8(ascii: "\r"), raw[at + 3] == UInt8(ascii: "\n") { return at + 4 }
                index = at + 1
            }
            return nil
        }
    }

    private static let transferEncoding: [UInt8] = Array("transfer-encoding".utf8)

    /// Whether a line of the head starts with `transfer-encoding` (any case). From line break to line
    /// break by `memchr`: every answer's head is scanned.
    static func mentionsTransferEncoding(_ head: ByteBuffer) -> Bool {
        let name = transferEncoding
        return head.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return false }
            var index = 0
            while index + name.count < bytes.count, let newline = memchr(base + index, Int32(UInt8(ascii: "\n")), bytes.count - index) {
                let at = UnsafeRawPointer(newline) - base
                guard at + name.count < bytes.count else { return false }
                var matched = 0
                while matched < name.count, bytes[at + 1 + matched].lowercasedASCII == name[matched] { matched += 1 }
                if matched == name.count { return true }
                index = at + 1
            }
            return false
        }
    }

    /// The status code of `HTTP/1.x NNN …`, 0 when there is none.
    static func statusCode(_ head: ByteBuffer) -> Int {
        head.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 12, bytes[8] == UInt8(ascii: " ") else { return 0 }
            var code = 0
            for index in 9..<12 {
                let digit = bytes[index]
                guard UInt8(ascii: "0")...UInt8(ascii: "9") ~= digit else { return 0 }
                code = code * 10 + Int(digit - UInt8(ascii: "0"))
            }
            return code
        }
    }

    /// The head with its framing made plain, and its status code.
    private func rewrite(_ head: ByteBuffer) -> (ByteBuffer, Int) {
        // Nearly every head has no Transfer-Encoding: tell so from the bytes, without making strings.
        if !Self.mentionsTransferEncoding(head) { return (head, Self.statusCode(head)) }
        let text = String(buffer: head)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first ?? ""
        let statusParts = statusLine.split(separator: " ", maxSplits: 2)
        let status = statusParts.count >= 2 ? Int(statusParts[1]) ?? 0 : 0
        func name(_ line: Substring) -> String {
            String(line.prefix { $0 != ":" }).lowercased().filter { $0 != " " && $0 != "\t" }
        }
        func value(_ line: Substring) -> Substring {
            line.firstIndex(of: ":").map { line[line.index(after: $0)...] } ?? ""
        }
        let fields = lines.dropFirst()
        let transferLines = fields.filter { name($0) == "transfer-encoding" }
        guard !transferLines.isEmpty else { return (head, status) }
        let codings = transferLines.flatMap { value($0).split(separator: ",") }.map {
            $0.lowercased().filter { $0 != " " && $0 != "\t" }
        }
        var keptFields = fields.filter { name($0) != "content-length" }
        switch (codings.last, codings.dropLast().filter { $0 != "chunked" }) {
        case ("chunked", let others) where others.isEmpty:
            coding = .identity
        case ("chunked", let others) where others.allSatisfy({ $0 == "gzip" || $0 == "x-gzip" }) && others.count == 1:
            coding = .gzip
            keptFields = keptFields.filter { name($0) != "transfer-encoding" }
            keptFields.insert("Transfer-Encoding: chunked", at: keptFields.startIndex)
        case ("gzip", let others) where others.isEmpty, ("x-gzip", let others) where others.isEmpty:
            // Not chunked last: the body runs to the connection's end (RFC 9112 §6.3), gzip-coded.
            coding = .gzip
            keptFields = keptFields.filter { name($0) != "transfer-encoding" }
        default:
            coding = .unsupported
        }
        var out = ByteBuffer()
        out.reserveCapacity(head.readableBytes)
        out.writeSubstring(statusLine)
        for field in keptFields {
            out.writeStaticString("\r\n")
            out.writeSubstring(field)
        }
        return (out, status)
    }
}

/// Undoes the gzip transfer coding of one answer's body, a piece at a time.
final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var isOpen: Bool
    /// More output than this from one piece of input is refused: a small body that inflates to gigabytes
    /// would otherwise be held in memory at once.
    static let maxOutputPerPiece = 8 << 20

    struct Failure: Error {}

    init() {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + window bits: a gzip wrapper, not zlib's own.
        isOpen = inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if isOpen { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The decoded bytes of `input`, which follows the pieces given before.
    func inflate(_ input: ByteBuffer, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard isOpen else { throw Failure() }
        var output = allocator.buffer(capacity: max(input.readableBytes * 4, 4096))
        var status = Z_OK
        try input.withUnsafeReadableBytes { raw in
            guard let base = raw.bindMemory(to: Bytef.self).baseAddress, raw.count > 0 else { return }
            stream.pointee.next_in = UnsafeMutablePointer(mutating: base)
            stream.pointee.avail_in = uInt(raw.count)
            repeat {
                var outputFull = false
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 << 10) { out in
                    guard let outBase = out.bindMemory(to: Bytef.self).baseAddress else { return 0 }
                    stream.pointee.next_out = outBase
                    stream.pointee.avail_out = uInt(out.count)
                    status = CZlib.inflate(stream, Z_NO_FLUSH)
                    outputFull = stream.pointee.avail_out == 0
                    return out.count - Int(stream.pointee.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, output.readableBytes <= Self.maxOutputPerPiece else {
                    throw Failure()
                }
                if status == Z_STREAM_END || (!outputFull && stream.pointee.avail_in == 0) { break }
            } while true
        }
        return output
    }
}
