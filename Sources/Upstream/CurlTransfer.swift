import CCurl
import Synchronization

/// One request in flight: its libcurl easy handle and the response collected so far.
///
/// `@unchecked Sendable` because ownership moves between threads: the calling task configures
/// the easy handle in `init`, then hands the transfer to the curl thread through the
/// lock-protected inbox of `CurlMultiLoop`; from then on only the curl thread touches the
/// handle, `headerParser` and `body`. The one piece several threads share, `state`, is a Mutex.
final class CurlTransfer: @unchecked Sendable {
    /// The libcurl easy handle; cleaned up in `deinit`, after the multi handle let go of it.
    let easy: UnsafeMutableRawPointer
    /// Who resumes the caller's continuation, decided under a lock.
    let state = Mutex(TransferStateMachine<CheckedContinuation<UpstreamResponse, any Error>>())

    private var requestHeaders: UnsafeMutablePointer<curl_slist>?
    private var headerParser = ResponseHeaderParser()
    private var body: [UInt8] = []

    /// Creates and configures the easy handle for `request`.
    /// - Throws: `UpstreamError.transport` when the request cannot be expressed safely.
    init(_ request: UpstreamRequest) throws(UpstreamError) {
        CurlGlobal.initialize()
        guard let easy = curl_easy_init() else { throw .transport("curl_easy_init failed") }
        self.easy = easy
        try configure(request)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(requestHeaders)
    }

    /// Called on the curl thread when libcurl reports the transfer done.
    func complete(_ code: CURLcode) {
        let result: Result<UpstreamResponse, any Error>
        if code == CURLE_OK {
            var status = 0
            _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            result = .success(UpstreamResponse(status: status, headers: headerParser.headers, body: body))
        } else {
            result = .failure(UpstreamError(curlCode: code))
        }
        fail(orSucceedWith: result)
    }

    /// Resumes the caller with `result` unless cancellation already did.
    func fail(orSucceedWith result: Result<UpstreamResponse, any Error>) {
        state.withLock { $0.finish() }?.resume(with: result)
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
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        if let caFile = request.tls.caFile { try set(CURLOPT_CAINFO, caFile) }
        if let certificate = request.tls.clientCertificate { try set(CURLOPT_SSLCERT, certificate) }
        if let key = request.tls.clientKey { try set(CURLOPT_SSLKEY, key) }
        try configureHeaders(request.headers)
        try configureMethodAndBody(method: request.method, body: request.body)
        try configureCallbacks()
    }

    private func configureHeaders(_ headers: [(String, String)]) throws(UpstreamError) {
        for (name, value) in headers {
            // A CR or LF would let a caller-supplied value smuggle extra headers or a request.
            guard !name.isEmpty, !name.contains(where: Self.isForbiddenInName),
                  !value.contains(where: Self.isLineBreak)
            else { throw .transport("invalid request header") }
            // "Name:" with nothing after it tells libcurl to drop the header; "Name;" sends it empty.
            let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
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
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter || $0 == "-" }) else {
            throw .transport("invalid request method")
        }
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

    private func configureCallbacks() throws(UpstreamError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        })
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        try check(ccurl_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            transfer.headerParser.consume(UnsafeRawBufferPointer(start: data, count: length))
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
