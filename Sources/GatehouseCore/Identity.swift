import Foundation

/// A role as legacy systems show it: a stable id and a name for people.
public struct Role: Sendable, Hashable, Codable {
    /// The role's key in configuration and in tokens (`admin`).
    public var name: String
    /// A stable id (ASP.NET Identity shows a GUID).
    public var id: String
    public var displayName: String

    public init(name: String, id: String, displayName: String) {
        self.name = name
        self.id = id
        self.displayName = displayName
    }
}

/// The parts of a person's name (the BaaS user object's `name`).
public struct PersonName: Sendable, Hashable, Codable {
    public var prefix: String?
    public var firstName: String?
    public var middleName: String?
    public var lastName: String?
    public var maidenName: String?
    public var suffix: String?

    public init(
        prefix: String? = nil, firstName: String? = nil, middleName: String? = nil,
        lastName: String? = nil, maidenName: String? = nil, suffix: String? = nil
    ) {
        self.prefix = prefix
        self.firstName = firstName
        self.middleName = middleName
        self.lastName = lastName
        self.maidenName = maidenName
        self.suffix = suffix
    }
}

/// A user's e-mail addresses (the BaaS user object's `email`); `primary` is the sign-in address.
public struct EmailAddresses: Sendable, Hashable, Codable {
    public var primary: String?
    public var secondary: String?
    public var work: String?
    public var other: String?

    public init(primary: String? = nil, secondary: String? = nil, work: String? = nil, other: String? = nil) {
        self.primary = primary
        self.secondary = secondary
        self.work = work
        self.other = other
    }
}

/// Who a caller is, once an authenticator has vouched for them. Every dialect renders this.
public struct Identity: Sendable, Hashable, Codable {
    /// The stable subject id (`sub` in tokens): a UUID string.
    public var subject: String
    /// The numeric id legacy systems use (`id` in the SSO answer, `UserId` in ServiceStack).
    public var numericID: Int?
    /// The id in an external system (`ext_id`).
    public var externalID: Int?
    public var userName: String
    public var displayName: String?
    public var email: EmailAddresses
    public var name: PersonName
    public var roles: [Role]
    public var permissions: [String]
    public var tags: [Int]
    public var claims: [String: String]
    public var extras: [String: String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// The name of the authenticator that vouched for this identity.
    public var authenticator: String

    public init(
        subject: String, numericID: Int? = nil, externalID: Int? = nil, userName: String,
        displayName: String? = nil, email: EmailAddresses = EmailAddresses(), name: PersonName = PersonName(),
        roles: [Role] = [], permissions: [String] = [], tags: [Int] = [], claims: [String: String] = [:],
        extras: [String: String] = [:], active: Bool = true, createdAt: Date, updatedAt: Date,
        authenticator: String
    ) {
        self.subject = subject
        self.numericID = numericID
        self.externalID = externalID
        self.userName = userName
        self.displayName = displayName
        self.email = email
        self.name = name
        self.roles = roles
        self.permissions = permissions
        self.tags = tags
        self.claims = claims
        self.extras = extras
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.authenticator = authenticator
    }
}
