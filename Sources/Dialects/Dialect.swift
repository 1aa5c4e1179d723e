import GatehouseCore

/// One sign-in dialect: its wire format on the front door, and nothing else.
///
/// A dialect turns a request into a `DialectCall` (what the caller asks for, in the internal
/// model) and turns the outcome back into the caller's own status, headers and bytes. It never
/// authenticates, hashes or signs anything: those happen between `decode` and `encode`.
///
/// ```swift
/// guard let call = dialect.decode(request) else { return nil }   // not this dialect's path
/// let result = await engine.perform(call.action)                  // authenticate, grant
/// return dialect.encode(result, for: call)
/// ```
public protocol Dialect: Sendable {
    var id: DialectID { get }
    /// What to mint for a successful sign-in through this dialect.
    var artifactKinds: Set<ArtifactKind> { get }
    /// The paths this dialect answers: `decode` returns nil for every other path.
    var endpoints: DialectEndpoints { get }
    /// `nil` when the request is not for this dialect; otherwise what the caller asks for.
    func decode(_ request: WireRequest) -> DialectCall?
    /// The caller's answer for `result`.
    func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse
}

/// What a caller asks a dialect for, and how the answer must look.
public struct DialectCall: Sendable {
    public var action: DialectAction
    public var reply: ReplyStyle
    /// The path has the shape of one of the dialect's endpoints but names none of them (ASP.NET's
    /// 404 for an unknown controller): a proxied route may take it instead.
    public var isUnknownEndpoint: Bool

    public init(_ action: DialectAction, reply: ReplyStyle = ReplyStyle(), isUnknownEndpoint: Bool = false) {
        self.action = action
        self.reply = reply
        self.isUnknownEndpoint = isUnknownEndpoint
    }
}

/// The operations the dialects have between them.
public enum DialectAction: Sendable, Equatable {
    /// Authenticate a credential and issue a grant.
    case signIn(SignInRequest)
    /// Look up the grant behind an artifact (`nil`: the caller presented none).
    case resolve(PresentedArtifact?)
    /// Revoke the grant behind each artifact, where there is one: a caller may hold several doors'
    /// artifacts (an ASP.NET cookie beside a ServiceStack session), and signing out ends them all.
    case signOut([PresentedArtifact])
    /// Exchange a refresh token for a new access token.
    case refresh(String)
    /// No work to do: answer this (a malformed request, a refused method).
    case respond(WireResponse)
}

/// How the answer to a call must be shaped; each dialect uses the parts it needs.
public struct ReplyStyle: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case json
        case xml
        /// JSON wrapped in `callback(…)`, served as `text/javascript`.
        case jsonp(callback: String)
    }

    public var format: Format
    /// Member names in camelCase instead of PascalCase (ServiceStack).
    public var camelCase: Bool
    /// Tokens go into cookies instead of the body (ServiceStack `UseTokenCookie`).
    public var useTokenCookie: Bool
    /// The host the caller addressed (cookie `Domain` in ASP.NET's `ResponseCookies`).
    public var host: String?
    /// The caller asked to be remembered (persistent cookies).
    public var remember: Bool

    public init(format: Format = .json, camelCase: Bool = false, useTokenCookie: Bool = false, host: String? = nil, remember: Bool = false) {
        self.format = format
        self.camelCase = camelCase
        self.useTokenCookie = useTokenCookie
        self.host = host
        self.remember = remember
    }
}

/// The outcome of a call, for the dialect to render.
public enum DialectResult: Sendable, Equatable {
    case signedIn(SignedIn)
    /// The grant behind a presented artifact, with the artifacts that name it (ServiceStack `SessionId`).
    case resolved(Grant, artifacts: IssuedArtifacts)
    case signedOut
    case refreshed(accessToken: String)
    case failed(AuthFailure)
}
