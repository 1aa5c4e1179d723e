import CCurl
import Synchronization

/// One request in flight: the validated request, the response head collected so far and the
/// buffers that carry the bodies between libcurl and the tasks using them.
///
/// `@unchecked Sendable` because ownership moves between threads: the calling task validates the
/// request in `init` and hands the transfer to the curl thread through the lock-protected inbox of
/// `CurlMultiLoop`. Every libcurl call — configuring an easy handle, the callbacks, resetting it for
/// the next transfer — then happens on the curl thread, so libcurl's allocations are made and freed
/// on one thread (freeing them elsewhere made the threads contend for malloc's arena lock). `easy`,
/// `requestHeaders` and `headerParser` are the curl thread's alone; what several threads share —
/// `state`, `responseBody`, `requestBody` — is lock-protected.
final class CurlTransfer: @unchecked Sendable {
    /// Curl thread only: the easy handle while this transfer holds one (between `attach` and `detach`).
    private(set) var easy: UnsafeMutableRawPointer?
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

    /// The request, validated; applied to an easy handle on the curl thread.
    private let request: UpstreamRequest
    /// `request.headers` as libcurl header lines.
    private let headerLines: [String]
    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private var headerParser = ResponseHeaderParser()
    private var callers: WaitingCallers?

    /// Validates `request`; `body`, when given, is streamed instead of `request.body`.
    /// - Throws: `UpstreamError.transport` when the request cannot be expressed safely.
    init(_ request: UpstreamRequest, body: UpstreamRequestBody? = nil) throws(UpstreamError) {
        try Self.validate(method: request.method)
        guard !request.url.utf8.contains(0) else { throw .transport("NUL byte in request") }
        for value in [request.tls.caFile, request.tls.clientCertificate, request.tls.clientKey] {
            guard value?.utf8.contains(0) != true else { throw .transport("NUL byte in request") }
        }
        // A body means nothing to HEAD (RFC 9110 §9.3.2) and is dropped, as `request.body` is: HEAD goes
        // with NOBODY, else libcurl would wait for the answer body the head announces. Closing it
        // releases whoever writes into it.
        var body = body
        if request.method == "HEAD", let dropped = body {
            dropped.close()
            body = nil
        }
        var headers = request.headers
        // No "Expect: 100-continue" round trip before a streamed body.
        if body != nil { headers.append(("Expect", "")) }
        self.headerLines = try Self.headerLines(headers)
        self.request = request
        self.requestBody = body
    }

    deinit {
        // Normally freed by `detach` on the curl thread; only a transfer dropped mid-configuration gets here.
        curl_slist_free_all(requestHeaders)
    }

    /// Curl thread: takes `easy` (fresh or reset) and configures it for this transfer; its head
    /// goes to `callers`, to be resumed with the others of the same round.
    func attach(to easy: UnsafeMutableRawPointer, callers: WaitingCallers) throws(UpstreamError) {
        self.easy = easy
        self.callers = callers
        try configure(easy)
    }

    /// Curl thread, once the multi handle has let go: gives back the easy handle (to be reset and
    /// reused) and frees what libcurl held for this transfer.
    func detach() -> UnsafeMutableRawPointer? {
        defer {
            easy = nil
            callers = nil
            curl_slist_free_all(requestHeaders)
            requestHeaders = nil
        }
        return easy
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
        let head = result.map { UpstreamResponseHead(status: headerParser.status, headers: headerParser.headers) }
        if let callers { callers.add(continuation, head) } else { continuation.resume(with: head) }
    }

    // MARK: Configuration (curl thread)

    private func configure(_ easy: UnsafeMutableRawPointer) throws(UpstreamError) {
        // No signals: libcurl is driven from a thread of its own (CURLOPT_NOSIGNAL docs).
        try set(CURLOPT_NOSIGNAL, 1)
        // The URL comes from configuration; never let it reach file://, gopher:// and the like.
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_URL, request.url)
        // Straight to the upstream: "" turns off every proxy, those named by http_proxy, https_proxy and
        // ALL_PROXY in the environment included (CURLOPT_PROXY docs). An operator's shell must never route
        // identity headers, assertions and legacy sessions through a forward proxy.
        try set(CURLOPT_PROXY, "")
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
        if let requestBody {
            try configureStreamedBody(method: request.method, length: requestBody.length)
        } else {
            try configureMethodAndBody(method: request.method, body: request.body)
        }
        for line in headerLines {
            guard let appended = curl_slist_append(requestHeaders, line) else {
                throw .transport("curl_slist_append failed")
            }
            requestHeaders = appended
        }
        if let requestHeaders {
            try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, requestHeaders))
        }
        try configureCallbacks()
    }

    /// The header lines for libcurl, each checked so that no caller-supplied value can smuggle in
    /// extra headers or a request (CR, LF, NUL), and no name can end early (`:`, `;`, space, tab).
    private static func headerLines(_ headers: [(String, String)]) throws(UpstreamError) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(headers.count)
        for (name, value) in headers {
            guard !name.isEmpty, !name.utf8.contains(where: isForbiddenInName), !value.utf8.contains(where: isLineBreak)
            else { throw .transport("invalid request header") }
            // "Name:" with nothing after it tells libcurl to drop the header; "Name;" sends it empty.
            lines.append(value.isEmpty ? (name == "Expect" ? "Expect:" : name + ";") : name + ": " + value)
        }
        return lines
    }

    private func configureMethodAndBody(method: String, body: [UInt8]) throws(UpstreamError) {
        guard let easy else { throw .transport("no easy handle") }
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
        guard let easy else { throw .transport("no easy handle") }
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

    private static func validate(method: String) throws(UpstreamError) {
        guard !method.isEmpty, method.utf8.allSatisfy({ UInt8(ascii: "A")...UInt8(ascii: "Z") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "z") ~= $0 || $0 == UInt8(ascii: "-") }) else {
            throw .transport("invalid request method")
        }
    }

    private func configureCallbacks() throws(UpstreamError) {
        guard let easy else { throw .transport("no easy handle") }
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
        guard let easy else { throw .transport("no easy handle") }
        try check(ccurl_easy_setopt_long(easy, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(UpstreamError) {
        guard let easy else { throw .transport("no easy handle") }
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

    private static func isLineBreak(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0
    }

    private static func isForbiddenInName(_ byte: UInt8) -> Bool {
        isLineBreak(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ")
            || byte == UInt8(ascii: "\t")
    }
}

/// Curl thread only: callers whose response heads arrived during the current round, resumed
/// together at its end. Resuming a caller enqueues its task on the cooperative pool, which wakes a
/// sleeping pool thread only when its queue was empty; resumed in a burst, one round's callers
/// mostly share one wakeup instead of each paying for its own.
final class WaitingCallers {
    private var waiting: [(CheckedContinuation<UpstreamResponseHead, any Error>, Result<UpstreamResponseHead, any Error>)] = []

    func add(_ continuation: CheckedContinuation<UpstreamResponseHead, any Error>, _ head: Result<UpstreamResponseHead, any Error>) {
        waiting.append((continuation, head))
    }

    /// Resumes everyone waiting; call before the curl thread sleeps.
    func resumeAll() {
        guard !waiting.isEmpty else { return }
        let batch = waiting
        waiting.removeAll(keepingCapacity: true)
        for (continuation, head) in batch { continuation.resume(with: head) }
    }
}
