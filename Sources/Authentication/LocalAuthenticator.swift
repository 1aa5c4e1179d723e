import Foundation
import GatehouseCore
import NIOPosix
import Synchronization

/// Signs in the users listed in `gateway.json` (`"type": "local"`), whose passwords are stored as
/// hashes in any `PasswordHashScheme`.
///
/// A login is a user name or an e-mail address, matched without regard to case. Every answer that
/// involves a password costs one hash verification, whoever the login names, and lasts at least as
/// long as a check against the slowest of the users' hash settings: a wrong password, an inactive
/// account and an unknown login are indistinguishable by time as well as by answer, even when users'
/// hashes differ in scheme or cost.
public struct LocalAuthenticator: Authenticator {
    /// One configured user, ready to answer: the parsed hash and the identity it signs in as.
    struct Account: Sendable {
        var hash: PasswordHash
        var identity: Identity
    }

    /// `settings.name`.
    public let name: String
    private let accounts: [Account]
    /// Lower-cased user name → index in `accounts`.
    private let byUserName: [String: Int]
    /// Lower-cased e-mail address → index in `accounts`.
    private let byEmail: [String: Int]
    /// Numeric id → index in `accounts`.
    private let byNumericID: [Int: Int]
    /// Verified against when the login is unknown; nil only when there are no users at all.
    private let decoy: PasswordHash?
    /// One hash per distinct set of hash parameters among the users: what `slowestCheck` measures.
    private let costSamples: [PasswordHash]
    /// How long a check against the slowest of `costSamples` takes, measured on first use.
    let slowestCheck = SlowestCheck()

    /// Parses every user's passwordHash up front; throws ConfigError naming e.g.
    /// "authenticators[0].users[3].passwordHash" (use settings.userPaths[i] + ".passwordHash") for an unrecognised hash.
    ///
    /// Also makes the decoy hash (one hash computation, at the cost of the users' most common parameters).
    /// - Parameter now: the clock; read once, for users without a configured `createdAt`/`updatedAt`.
    public init(settings: LocalAuthenticatorSettings, now: @escaping @Sendable () -> Date = Date.init) throws(ConfigError) {
        let builtAt = now()
        var accounts: [Account] = []
        var issues: [ConfigIssue] = []
        let hashPath = { (index: Int) in
            (index < settings.userPaths.count ? settings.userPaths[index] : "users[\(index)]") + ".passwordHash"
        }
        for (index, user) in settings.users.enumerated() {
            guard let hash = PasswordHash(parsing: user.passwordHash) else {
                // Never the hash itself in the message: it is a secret.
                issues.append(ConfigIssue(
                    path: hashPath(index),
                    message: "is not a supported password hash (bcrypt, pbkdf2-sha256, aspnet-v2, aspnet-v3)"))
                continue
            }
            let identity = user.identity(
                authenticator: settings.name, roleDefinitions: settings.roleDefinitions, builtAt: builtAt)
            accounts.append(Account(hash: hash, identity: identity))
        }
        guard issues.isEmpty else { throw ConfigError(issues: issues) }

        self.name = settings.name
        self.accounts = accounts
        // Configuration already refuses repeated names, addresses and ids; should any slip through, the first wins.
        self.byUserName = Dictionary(
            accounts.indices.map { (accounts[$0].identity.userName.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        self.byEmail = Dictionary(
            accounts.indices.compactMap { i in accounts[i].identity.email.primary.map { ($0.lowercased(), i) } },
            uniquingKeysWith: { a, _ in a })
        self.byNumericID = Dictionary(
            accounts.indices.compactMap { i in accounts[i].identity.numericID.map { ($0, i) } },
            uniquingKeysWith: { a, _ in a })
        var seen: Set<String> = []
        self.costSamples = accounts.map(\.hash).filter { seen.insert($0.costParameters).inserted }
        let template = Self.mostCommonHashIndex(in: accounts)
        do {
            self.decoy = try template.map { try accounts[$0].hash.decoy() }
        } catch {
            // Only when the crypto library refuses this hash's own parameters, which then cannot verify either.
            throw ConfigError(issues: [ConfigIssue(
                path: hashPath(template ?? 0), message: "has parameters the crypto library refuses")])
        }
    }

    /// Verifies a `.password` credential against the user its login names; any other credential is
    /// not this authenticator's business (`nil`).
    ///
    /// - Returns: the user's identity; nil when no user has this login (after a decoy verification).
    /// - Throws: `AuthFailure.invalidCredentials` for a wrong password or an inactive account.
    public func authenticate(_ request: SignInRequest) async throws -> Identity? {
        guard case .password(let login, let secret) = request.credential else { return nil }
        let started = ContinuousClock.now
        let account = account(forLogin: login)
        let matches: Bool
        if let hash = account?.hash ?? decoy {
            matches = try await Self.verifyOffLoop(hash, secret)
        } else {
            matches = false
        }
        // Whoever the login named, the answer leaves no sooner than the slowest user's check would.
        let floor = try await slowestCheck.duration(measuring: costSamples)
        try? await Task.sleep(until: started + floor)
        guard let account else { return nil }
        // An inactive account gets the same answer as a wrong password: it reveals no more.
        guard matches, account.identity.active else { throw AuthFailure.invalidCredentials }
        return account.identity
    }

    /// The identity of the user with this numeric `id` (SSO partner tokens carry `user_id`), nil if unknown or inactive.
    public func identity(numericID: Int) -> Identity? {
        guard let index = byNumericID[numericID], accounts[index].identity.active else { return nil }
        return accounts[index].identity
    }

    /// The user's subject id, whichever of its user name or e-mail address `login` is.
    public func accountKey(forLogin login: String) -> String? {
        account(forLogin: login)?.identity.subject
    }

    /// A user name first, then an e-mail address: a user name that looks like someone else's
    /// address still signs in its own user.
    private func account(forLogin login: String) -> Account? {
        let key = login.lowercased()
        guard let index = byUserName[key] ?? byEmail[key] else { return nil }
        return accounts[index]
    }

    /// Hashing takes tens to hundreds of milliseconds of CPU: it must block neither an event loop nor
    /// a thread of Swift's small cooperative pool, so it runs on NIO's blocking-work pool.
    private static func verifyOffLoop(_ hash: PasswordHash, _ password: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { hash.verify(password) }
    }

    /// How long one check against the slowest of a set of hashes takes on this machine: measured once
    /// (off the event loops, the best of two runs per hash, so a busy moment does not inflate it), then kept.
    final class SlowestCheck: Sendable {
        private let measured = Mutex<Duration?>(nil)

        func duration(measuring samples: [PasswordHash]) async throws -> Duration {
            if let known = measured.withLock({ $0 }) { return known }
            let slowest = try await NIOThreadPool.singleton.runIfActive {
                samples.map { hash in
                    (0..<2).map { _ in ContinuousClock().measure { _ = hash.verify("not the password") } }.min() ?? .zero
                }.max() ?? .zero
            }
            measured.withLock { $0 = $0 ?? slowest }
            return slowest
        }
    }

    /// The index of the account whose hash parameters most users share (the first such user, on a tie).
    /// All users parsed, so the index is also the user's index in the settings.
    private static func mostCommonHashIndex(in accounts: [Account]) -> Int? {
        var counts: [String: Int] = [:]
        for account in accounts { counts[account.hash.costParameters, default: 0] += 1 }
        // `max(by:)` keeps the first of equal elements: the earliest configured user wins a tie.
        return accounts.indices.max { a, b in
            counts[accounts[a].hash.costParameters, default: 0] < counts[accounts[b].hash.costParameters, default: 0]
        }
    }
}
