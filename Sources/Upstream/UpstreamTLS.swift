/// TLS settings for one upstream. The peer certificate and host name are always verified; these only
/// choose what is trusted and which client certificate is shown.
public struct UpstreamTLS: Sendable, Equatable {
    /// PEM file of the CAs to trust instead of the system's (a private CA, a pinned self-signed cert).
    public var caFile: String?
    /// PEM client certificate for upstreams that require mutual TLS.
    public var clientCertificate: String?
    /// PEM private key of `clientCertificate`.
    public var clientKey: String?

    public init(caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil) {
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}
