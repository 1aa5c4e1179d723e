/// The five sign-in dialects Gatehouse speaks on the front door (and, later, to upstreams).
public enum DialectID: String, Sendable, Hashable, CaseIterable, Codable {
    case aspnet, sso, webapi, baas, servicestack
}

/// Facts about the caller that are not the credential itself.
public struct ClientContext: Sendable, Equatable {
    public var address: String?
    public var userAgent: String?
    /// The BaaS `X-Api-Key` value, already checked by the dialect.
    public var apiKey: String?
    /// Where the caller wants to go after signing in (ServiceStack `ReturnUrl`).
    public var returnURL: String?
    /// ServiceStack `Meta`: free-form pairs a client sends along.
    public var meta: [String: String]

    public init(
        address: String? = nil, userAgent: String? = nil, apiKey: String? = nil,
        returnURL: String? = nil, meta: [String: String] = [:]
    ) {
        self.address = address
        self.userAgent = userAgent
        self.apiKey = apiKey
        self.returnURL = returnURL
        self.meta = meta
    }
}

/// One sign-in attempt in the internal model: every dialect decodes into this.
public struct SignInRequest: Sendable, Equatable {
    public var credential: Credential
    /// Whether the caller asked to stay signed in across browser sessions.
    public var remember: Bool
    public var dialect: DialectID
    /// The ASP.NET `{route}` segment: which node of a legacy cluster the caller addressed.
    public var clusterRoute: String?
    /// The ServiceStack auth provider (`credentials`, …).
    public var provider: String?
    public var client: ClientContext

    public init(
        credential: Credential, remember: Bool = false, dialect: DialectID,
        clusterRoute: String? = nil, provider: String? = nil, client: ClientContext = ClientContext()
    ) {
        self.credential = credential
        self.remember = remember
        self.dialect = dialect
        self.clusterRoute = clusterRoute
        self.provider = provider
        self.client = client
    }
}
