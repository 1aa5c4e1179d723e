import CCurl

extension UpstreamError {
    /// Maps a libcurl result code onto the cases callers act on; the rest keep curl's text.
    init(curlCode code: CURLcode) {
        switch code {
        case CURLE_COULDNT_CONNECT:
            self = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT:
            self = .timedOut
        default:
            self = .transport(String(cString: curl_easy_strerror(code)))
        }
    }
}
