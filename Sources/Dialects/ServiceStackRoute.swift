/// The ServiceStack endpoints Gatehouse answers, recognised from a request path.
///
/// ServiceStack matches routes without regard to case and lets any route carry a `.json` format
/// suffix (`/auth/credentials.json`); both are honoured here. Gatehouse only speaks JSON, so the
/// suffix is accepted and dropped.
enum ServiceStackRoute: Equatable {
    /// `/auth`, `/auth/{provider}`, `/json/reply/Authenticate`, `/api/Authenticate`;
    /// `provider` is the path segment when the path names one.
    case authenticate(provider: String?)
    /// `/access-token`, `/json/reply/GetAccessToken`, `/api/GetAccessToken`.
    case accessToken

    /// The paths, each in any case and with an optional `.json` suffix; `/auth/` is `/auth`
    /// (ServiceStack ignores one trailing slash).
    static let endpoints = DialectEndpoints(
        [[.ignoringCase("auth")], [.ignoringCase("auth"), .any], [.ignoringCase("json"), .ignoringCase("reply"), .ignoringCase("authenticate")],
         [.ignoringCase("api"), .ignoringCase("authenticate")]].map { DialectEndpoint("authenticate", $0, formatSuffix: ".json") }
            + [[.ignoringCase("access-token")], [.ignoringCase("json"), .ignoringCase("reply"), .ignoringCase("getaccesstoken")],
               [.ignoringCase("api"), .ignoringCase("getaccesstoken")]].map { DialectEndpoint("accessToken", $0, formatSuffix: ".json") })

    /// The route an endpoint match names; the provider segment percent-decoded.
    init(_ match: EndpointMatch) {
        if match.endpoint.name == "accessToken" {
            self = .accessToken
        } else {
            self = .authenticate(provider: match.captures.first.map(percentDecode))
        }
    }

    /// The request DTO's name, as ServiceStack's error messages cite it.
    var requestName: String {
        switch self {
        case .authenticate: "Authenticate"
        case .accessToken: "GetAccessToken"
        }
    }

    /// The service class that handles the DTO (named in "method not found" errors).
    var serviceName: String { "\(requestName)Service" }
}
