import CCurl
import Synchronization

/// One request in flight: its libcurl easy handle, the response head collected so far and the
/// buffers that carry the bodies between libcurl and the tasks using them.
///
/// `@unchecked Sendable` because ownership moves between threads: the calling task configures
/// the easy handle in `init`, then hands the transfer to the curl thread through the
/// lock-protected inbox of `CurlMultiLoop`; from then on only the curl thread touches the
/// handle and `headerParser`. What several threads share — `state`, `responseBody`,
/// `requestBody` — is lock-protected.
final class CurlTransfer: @unchecked Sendable {
    /// The libcurl easy handle; cleaned up in `deinit`, after the multi handle let go of it.
    let easy: UnsafeMutableRawPointer
    /// Who resumes the caller's continuation (with the response head), decided under a lock.
    let state = Mutex(TransferStateMachine<CheckedContinuation<UpstreamResponseHead, any Error>>())
    /// Response bytes on their way to the reader.
    let responseBody = ResponseBodyBuffer()
    /// The streamed request body, if the request has one.
    let requestBody: UpstreamRequestBody?

    /// Set once libcurl reported the transfer done (so dropping the body needs no removal).
    let isFinished = Atomic<Bool>(false)
    /// Curl thread only: the final response's headers are complete. The head is then held until the
    /// first body bytes, the end of the transfer or the end of the current `curl_multi_perform` round,
    /// whichever comes first: a small answer reaches its caller in one wakeup, head and body together.
    private(set) var headersComplete = false
    private var headDelivered = false

    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private var headerParser = ResponseHeaderParser()

    /// Creates and configures the easy handle for `request`; `body`, when given, is streamed
    /// instead of `request.body`.
    /// - Throws: `UpstreamError.transport` when the request cannot be expressed safely.
    init(_ request: UpstreamRequest, body: UpstreamRequestBody? = nil) throws(UpstreamError) {
        CurlGlobal.initialize()
        guard let easy = curl_easy_init() else { throw .transport("curl_easy_init failed") }
        self.easy = easy
        self.requestBody = body
        try configure(request)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(requestHeaders)
    }

    /// Called on the curl thread when libcurl reports the transfer done.
    func complete(_ code: CURLcode) {
        let result: Result<Void, any Error> = code == CURLE_OK ? .success(()) : .failure(UpstreamError(curlCode: code))
        // Body first: the caller, resumed with the head, then finds the whole (small) body waiting.
        end(result)
        // A response without a blank line after its headers (an HTTP/0.9 answer, say) still has a head.
        deliverHead(or: result)
        isFinished.store(true, ordering: .releasing)
    }

    /// Curl thread: the final headers are in but the head was held back (see `headersComplete`).
    func deliverHeldHead() {
        guard headersComplete, !headDelivered else { return }
        deliverHead(or: .success(()))
    }

    /// Fails the caller (if still waiting for the head) and the body reader with `error`.
    func fail(_ error: any Error) {
        state.withLock { $0.finish() }?.resume(throwing: error)
        end(.failure(error))
    }

    /// The transfer will make no more progress: release whoever waits on its bodies.
    func end(_ result: Result<Void, any Error>) {
        responseBody.finish(result)
        requestBody?.close()
    }

    /// The reader gave up on the body: drop what is buffered and fail further reads.
    func abandon() {
        responseBody.finish(.failure(CancellationError()), discardingBuffered: true)
        requestBody?.close()
    }

    private func deliverHead(or result: Result<Void, any Error>) {
        guard !headDelivered else { return }
        headDelivered = true
        guard let continuation = state.withLock({ $0.finish() }) else { return }
        switch result {
        case .success:
            continuation.resume(returning: UpstreamResponseHead(status: headerParser.status, headers: headerParser.headers))
        case .failure(let error):
            continuation.resume(throwing: error)
        }
    }

    // MARK: Configuration

    private func configure(_ request: UpstreamRequest) throws(UpstreamError) {
        // No signals: libcurl is driven from a thread of its own (CURLOPT_NOSIGNAL docs).
        try set(CURLOPT_NOSIGNAL, 1)
        // The URL comes from configuration; never let it reach file://, gopher:// and the like.
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeoutSeconds))
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeoutSeconds))
        if request.idleTimeoutSeconds > 0 {
            // Below 1 byte/s for that long (libcurl skips the check while the reader has paused it).
            try set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try set(CURLOPT_LOW_SPEED_TIME, max(1, Int(request.idleTimeoutSeconds.rounded(.up))))
        }
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        if let caFile = request.tls.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let certificate = request.tls.clientCertificate { try set(CURLOPT_SSLCERT, certificate) }
        if let key = request.tls.clientKey { try set(CURLOPT_SSLKEY, key) }
        // Larger reads than libcurl's 16 KiB default: fewer wakeups per megabyte proxied.
        try set(CURLOPT_BUFFERSIZE, 64 << 10)
        var headers = request.headers
        if let requestBody {
            // No "Expect: 100-continue" round trip before a streamed body.
            headers.append(("Expect", ""))
            try configureStreamedBody(method: request.method, length: requestBody.length)
        } else {
            try configureMethodAndBody(method: request.method, body: request.body)
        }
        try configureHeaders(headers)
        try configureCallbacks()
    }

    private func configureHeaders(_ headers: [(String, String)]) throws(UpstreamError) {
        for (name, value) in headers {
            // A CR or LF would let a caller-supplied value smuggle extra headers or a request.
            guard !name.isEmpty, !name.contains(where: Self.isForbiddenInName),
                  !value.contains(where: Self.isLineBreak)
            else { throw .transport("invalid request header") }
            // "Name:" with nothing after it tells libcurl to drop the header; "Name;" sends it empty.
            let line = value.isEmpty ? (name == "Expect" ? "Expect:" : "\(name);") : "\(name): \(value)"
            guard let appended = curl_slist_append(requestHeaders, line) else {
                throw .transport("curl_slist_append failed")
            }
            requestHeaders = appended
        }
        if let requestHeaders {
            try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, requestHeaders))
        }
    }

    private func configureMethodAndBody(method: String, body: [UInt8]) throws(UpstreamError) {
        try validate(method: method)
        if method == "HEAD" {
            try set(CURLOPT_NOBODY, 1)
            return
        }
        let sendsBody = !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)
        if sendsBody {
            // Size first, then COPYPOSTFIELDS copies exactly that many bytes (binary-safe).
            try check(ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            let code = body.withUnsafeBytes { bytes in
                // An empty array may have no storage; libcurl needs a valid pointer even for 0 bytes.
                let pointer = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
                return ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, pointer)
            }
            try check(code)
        }
        // libcurl's own method is POST with a body and GET without; anything else is spelled out.
        if method != (sendsBody ? "POST" : "GET") {
            try set(CURLOPT_CUSTOMREQUEST, method)
        }
    }

    private func configureStreamedBody(method: String, length: Int?) throws(UpstreamError) {
        try validate(method: method)
        // UPLOAD reads the body through the read callback; its method is PUT unless spelled out.
        try set(CURLOPT_UPLOAD, 1)
        // -1: unknown length, sent chunked over HTTP/1.1.
        try check(ccurl_easy_setopt_off_t(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(length ?? -1)))
        if method != "PUT" { try set(CURLOPT_CUSTOMREQUEST, method) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_READFUNCTION) { buffer, size, count, context in
            guard let context, let buffer else { return ccurl_readfunc_abort }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            guard let body = transfer.requestBody else { return 0 }
            switch body.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) {
            case .bytes(let count): return count
            case .end: return 0
            case .pause: return ccurl_readfunc_pause
            case .abort: return ccurl_readfunc_abort
            }
        })
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_READDATA, context))
    }

    private func validate(method: String) throws(UpstreamError) {
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter || $0 == "-" }) else {
            throw .transport("invalid request method")
        }
    }

    private func configureCallbacks() throws(UpstreamError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            let offer = transfer.responseBody.offer(UnsafeRawBufferPointer(start: data, count: length))
            // Body bytes mean the head is complete, even if no blank line was reported.
            transfer.deliverHead(or: .success(()))
            switch offer {
            case .accepted: return length
            case .pause: return ccurl_writefunc_pause
            }
        })
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            if transfer.headerParser.consume(UnsafeRawBufferPointer(start: data, count: length)) {
                transfer.headersComplete = true
            }
            return length
        })
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
    }

    // MARK: Small helpers

    private func set(_ option: CURLoption, _ value: Int) throws(UpstreamError) {
        try check(ccurl_easy_setopt_long(easy, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(UpstreamError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go away.
        guard !value.utf8.contains(0) else { throw .transport("NUL byte in request") }
        let code = value.withCString { ccurl_easy_setopt_pointer(easy, option, $0) }
        try check(code)
    }

    private func check(_ code: CURLcode) throws(UpstreamError) {
        guard code == CURLE_OK else { throw UpstreamError(curlCode: code) }
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        // Round up so a tiny positive timeout never becomes 0, which libcurl reads as "none".
        return Int(min((seconds * 1000).rounded(.up), Double(Int32.max)))
    }

    private static func isLineBreak(_ character: Character) -> Bool {
        character == "\r" || character == "\n" || character == "\r\n" || character == "\0"
    }

    private static func isForbiddenInName(_ character: Character) -> Bool {
        isLineBreak(character) || character == ":" || character == ";" || character == " " || character == "\t"
    }
}
