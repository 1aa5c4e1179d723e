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

    /// The route for `path` (still percent-encoded); `nil` when it is not a ServiceStack path.
    init?(path: String) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        // `/auth/` is `/auth`: ServiceStack ignores one trailing slash.
        if segments.count > 1, segments.last == "" { segments.removeLast() }
        guard path.hasPrefix("/"), let last = segments.last else { return nil }
        if last.count > 5, last.lowercased().hasSuffix(".json") {
            segments[segments.count - 1] = String(last.dropLast(5))
        }
        switch segments.map({ $0.lowercased() }) {
        case ["auth"], ["json", "reply", "authenticate"], ["api", "authenticate"]:
            self = .authenticate(provider: nil)
        case let lowered where lowered.count == 2 && lowered[0] == "auth" && !lowered[1].isEmpty:
            self = .authenticate(provider: percentDecode(Substring(segments[1])))
        case ["access-token"], ["json", "reply", "getaccesstoken"], ["api", "getaccesstoken"]:
            self = .accessToken
        default:
            return nil
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
