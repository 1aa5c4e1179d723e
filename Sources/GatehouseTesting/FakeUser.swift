/// A user of the fake legacy systems: the same two people in every one of them, so a test can sign in
/// anywhere with the same login.
public struct FakeUser: Sendable, Equatable {
    /// The legacy system's numeric user id.
    public let id: Int
    /// A stable UUID for dialects that name users by one (BaaS `usersId`).
    public let uuid: String
    /// The user name (`Admin`, `editor`).
    public let userName: String
    /// The e-mail address, also accepted as the login.
    public let email: String
    /// The plain password: a fake has no reason to hash.
    public let password: String
    /// Role names.
    public let roles: [String]
    /// The name shown for the user.
    public let displayName: String
    /// The external id of the SSO document (`ext_id`), where the user has one.
    public let externalID: Int?
    /// Tag ids of the SSO document.
    public let tags: [Int]

    /// `admin@example.com` / `admin-pass`.
    public static let admin = FakeUser(
        id: 1, uuid: "a564ef59-085b-4803-b514-37288e32709e", userName: "Admin", email: "admin@example.com",
        password: "admin-pass", roles: ["admin"], displayName: "System administrator", externalID: 1001, tags: [7, 9])

    /// `editor@example.com` / `editor-pass`.
    public static let editor = FakeUser(
        id: 2, uuid: "3f2b8c1e-0d4a-4f6e-9b7c-5a1d2e3f4a5b", userName: "editor", email: "editor@example.com",
        password: "editor-pass", roles: ["editor"], displayName: "Demo editor", externalID: nil, tags: [2])

    /// Everyone the fakes know.
    public static let all = [admin, editor]

    /// The user whose user name or e-mail address is `login`, compared without regard to case as the
    /// legacy systems' user stores do.
    public static func named(_ login: String) -> FakeUser? {
        let wanted = login.lowercased()
        return all.first { $0.userName.lowercased() == wanted || $0.email.lowercased() == wanted }
    }
}
