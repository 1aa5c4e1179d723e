import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is made.
enum CurlGlobal {
    // A global `let` is initialised exactly once, thread-safely, on first use — which is
    // what curl_global_init requires (it is not thread-safe itself on older libcurls).
    private static let result: CURLcode = ccurl_global_init_all()

    /// Ensures `curl_global_init` ran; cheap after the first call.
    static func initialize() {
        _ = result
    }
}
