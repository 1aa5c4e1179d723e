import Foundation

/// An artifact a caller presents to prove an earlier sign-in.
public enum PresentedArtifact: Sendable, Equatable {
    /// The sealed ticket of `.AspNet.ApplicationCookie`.
    case applicationCookie(String)
    /// `Authorization: Bearer …`: a Gatehouse JWT, a partner's HS256 JWT, or a BaaS session token.
    case bearer(String)
    /// A ServiceStack session id (`ss-id`/`ss-pid` cookie or `X-ss-id` header).
    case serviceStackSession(String)
}

/// The kinds of artifact a dialect hands out on a successful sign-in.
public enum ArtifactKind: Sendable, Hashable {
    case applicationCookie
    case accessToken
    case sessionToken
    case serviceStackSession
}

/// A ServiceStack session as the client sees it.
public struct ServiceStackSession: Sendable, Equatable {
    /// `ss-id`: the browser-session id.
    public var sessionID: String
    /// `ss-pid`: the permanent id.
    public var permanentID: String
    public var bearerToken: String
    public var refreshToken: String
    public var refreshTokenExpiry: Date

    public init(sessionID: String, permanentID: String, bearerToken: String, refreshToken: String, refreshTokenExpiry: Date) {
        self.sessionID = sessionID
        self.permanentID = permanentID
        self.bearerToken = bearerToken
        self.refreshToken = refreshToken
        self.refreshTokenExpiry = refreshTokenExpiry
    }
}

/// What was minted for one sign-in, for the dialect to render.
public struct IssuedArtifacts: Sendable, Equatable {
    /// The sealed `.AspNet.ApplicationCookie` ticket.
    public var applicationCookie: String?
    /// The webapi JWT and its lifetime in seconds.
    public var accessToken: String?
    public var accessTokenLifetime: Int?
    /// The opaque BaaS session token.
    public var sessionToken: String?
    public var serviceStack: ServiceStackSession?

    public init(
        applicationCookie: String? = nil, accessToken: String? = nil, accessTokenLifetime: Int? = nil,
        sessionToken: String? = nil, serviceStack: ServiceStackSession? = nil
    ) {
        self.applicationCookie = applicationCookie
        self.accessToken = accessToken
        self.accessTokenLifetime = accessTokenLifetime
        self.sessionToken = sessionToken
        self.serviceStack = serviceStack
    }
}

/// A successful sign-in, as a dialect renders it.
public struct SignedIn: Sendable, Equatable {
    public var grant: Grant
    public var artifacts: IssuedArtifacts

    public init(grant: Grant, artifacts: IssuedArtifacts) {
        self.grant = grant
        self.artifacts = artifacts
    }

    public var identity: Identity { grant.identity }
}
