import Foundation
import GatehouseCore

/// Brute-force protection around the authenticator chain: password sign-ins are refused while the
/// account or the client address is locked, and every refused password counts against both.
///
/// One account, one counter: a login the chain can name (`AuthenticatorChain.accountKey(forLogin:)`) is
/// counted under its user, whether it came as a user name or an e-mail address, through any dialect;
/// unknown logins are counted under the login itself, so guessing at names costs the same as guessing
/// at passwords. A locked account is refused before any password is checked, the right one included.
public struct Lockout: Sendable {
    let settings: LockoutSettings
    let store: any LockoutStore
    let now: @Sendable () -> Date
    /// Told of every lock a failure sets (the failure that reaches a limit), for the audit log and metrics.
    let onLock: @Sendable (LockEvent) -> Void

    /// - Parameters:
    ///   - now: the clock locks are judged by.
    ///   - onLock: called for each lock a failure sets, once per lock.
    public init(
        settings: LockoutSettings, store: any LockoutStore, now: @escaping @Sendable () -> Date = Date.init,
        onLock: @escaping @Sendable (LockEvent) -> Void = { _ in }
    ) {
        self.settings = settings
        self.store = store
        self.now = now
        self.onLock = onLock
    }

    /// A counter reaching its limit: what was locked, and for how long.
    public struct LockEvent: Sendable {
        /// `account` or `address`.
        public var scope: String
        /// The login that was typed (an account lock) or the client address (an address lock).
        public var subject: String
        public var request: SignInRequest
        public var retryAfterSeconds: Int
    }

    /// Authenticates `request` through `chain`, unless its account or address is locked.
    ///
    /// - Throws: `AuthFailure.lockedOut` while locked (and for the failure that locks), the chain's own
    ///   failures otherwise; any other error is the store's (an outage, never a wrong password).
    public func authenticate(_ request: SignInRequest, with chain: AuthenticatorChain) async throws -> Authenticated {
        guard settings.enabled, case .password(let login, _) = request.credential else {
            return try await chain.authenticateKeepingArtifacts(request)
        }
        let account = "acct:" + chain.accountKey(forLogin: login)
        let address = request.client.address.map { "addr:" + $0 }
        let started = now()
        if let until = try await lockedUntil(account: account, address: address, now: started) {
            throw Self.lockedOut(until: until, now: started)
        }
        do {
            let authenticated = try await chain.authenticateKeepingArtifacts(request)
            try await store.clearFailures(key: account)
            return authenticated
        } catch AuthFailure.invalidCredentials {
            let failedAt = now()
            var locks: [Date] = []
            if let until = try await store.recordFailure(key: account, rule: settings.account, now: failedAt) {
                locks.append(until)
                onLock(LockEvent(scope: "account", subject: login, request: request, retryAfterSeconds: Self.seconds(until: until, now: failedAt)))
            }
            if let address, let until = try await store.recordFailure(key: address, rule: settings.address, now: failedAt) {
                locks.append(until)
                onLock(LockEvent(
                    scope: "address", subject: request.client.address ?? "", request: request,
                    retryAfterSeconds: Self.seconds(until: until, now: failedAt)))
            }
            if let until = locks.max() { throw Self.lockedOut(until: until, now: failedAt) }
            throw AuthFailure.invalidCredentials
        }
    }

    private func lockedUntil(account: String, address: String?, now: Date) async throws -> Date? {
        var locks = [try await store.lockedUntil(key: account, now: now)]
        if let address { locks.append(try await store.lockedUntil(key: address, now: now)) }
        return locks.compactMap { $0 }.max()
    }

    /// Whole seconds until `until`, at least 1 (what `Retry-After` carries).
    static func lockedOut(until: Date, now: Date) -> AuthFailure {
        .lockedOut(retryAfterSeconds: seconds(until: until, now: now))
    }

    static func seconds(until: Date, now: Date) -> Int {
        max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }
}
