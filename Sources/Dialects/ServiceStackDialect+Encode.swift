import Foundation
import GatehouseCore

extension ServiceStackDialect {
    /// The ServiceStack answer for `result`: an `AuthenticateResponse` with its cookies, `{}` for a
    /// sign-out, `{"AccessToken":…}` for a refresh, or the `ResponseStatus` of a failure.
    public func encode(_ result: DialectResult, for call: DialectCall) -> WireResponse {
        if case .respond(let response) = call.action { return response }
        let reply = ServiceStackReply(call.reply, cookies: cookiePolicy)
        switch result {
        case .signedIn(let signedIn):
            return self.signedIn(signedIn, call: call, reply: reply)
        case .resolved(let grant, let artifacts):
            // The answer names the session (`SessionId`), as good as its cookie.
            let body = Self.session(grant.identity, artifacts.serviceStack, returnURL: nil, tokens: true, reply: reply)
            return reply.respond(200, body, headers: [WireResponse.noStore])
        case .signedOut:
            return reply.respond(200, .object([]), cookies: ServiceStackCookies.expired)
        case .refreshed(let accessToken):
            guard call.reply.useTokenCookie else {
                return reply.respond(200, reply.object([("AccessToken", .string(accessToken))]), headers: [WireResponse.noStore])
            }
            let cookie = ServiceStackCookies.accessToken(accessToken, expires: ServiceStackJWT.expiry(of: accessToken))
            return reply.respond(200, .object([]), cookies: [cookie], headers: [WireResponse.noStore])
        case .failed(let failure):
            return failed(failure, call: call, reply: reply)
        }
    }

    private func signedIn(_ signedIn: SignedIn, call: DialectCall, reply: ServiceStackReply) -> WireResponse {
        guard let session = signedIn.artifacts.serviceStack else {
            // The server did not mint what `artifactKinds` asked for: a wiring bug, not bad input.
            return reply.error(500, code: "InvalidOperationException", message: "No ServiceStack session was issued")
        }
        var returnURL: String?
        if case .signIn(let request) = call.action { returnURL = request.client.returnURL }
        let issuedAt = signedIn.grant.issuedAt
        let bearerExpiry = ServiceStackJWT.expiry(of: session.bearerToken)
            ?? issuedAt.addingTimeInterval(TimeInterval(settings.bearerTokenLifetimeSeconds))
        let cookies = ServiceStackCookies.signIn(
            session, issuedAt: issuedAt, remember: call.reply.remember || signedIn.grant.persistent,
            tokens: call.reply.useTokenCookie, bearerExpiry: bearerExpiry)
        let body = Self.session(signedIn.identity, session, returnURL: returnURL, tokens: !call.reply.useTokenCookie, reply: reply)
        return reply.respond(200, body, cookies: cookies, headers: [WireResponse.noStore])
    }

    private func failed(_ failure: AuthFailure, call: DialectCall, reply: ServiceStackReply) -> WireResponse {
        switch failure {
        case .upstreamUnavailable:
            return reply.upstreamUnavailable
        case .lockedOut(let seconds):
            // Signing out is never refused; anything else waits out the lockout.
            if case .signOut = call.action { return reply.respond(200, .object([]), cookies: ServiceStackCookies.expired) }
            return reply.tooManyRequests(retryAfter: seconds)
        case .invalidCredentials:
            switch call.action {
            case .refresh: return reply.error(400, code: "ArgumentException", message: "RefreshToken is Invalid")
            case .resolve: return reply.notAuthenticated
            // Signing out always succeeds: the caller's cookies are cleared either way.
            case .signOut: return reply.respond(200, .object([]), cookies: ServiceStackCookies.expired)
            case .signIn, .respond: return reply.invalidCredentials
            }
        }
    }

    /// The `AuthenticateResponse` members in the DTO's order; `tokens` false leaves the bearer and
    /// refresh tokens out (they travel in cookies, or a looked-up session has none).
    static func session(
        _ identity: Identity, _ session: ServiceStackSession?, returnURL: String?, tokens: Bool, reply: ServiceStackReply
    ) -> JSONValue {
        let bearer = session.flatMap { $0.bearerToken.isEmpty ? nil : $0.bearerToken }
        let refresh = session.flatMap { $0.refreshToken.isEmpty ? nil : $0 }
        let sessionID = session.flatMap { $0.sessionID.isEmpty ? nil : $0.sessionID }
        return reply.object([
            ("UserId", .string(identity.numericID.map(String.init) ?? identity.subject)),
            ("SessionId", sessionID.map(JSONValue.string)),
            ("UserName", .string(identity.userName)),
            // ServiceStack shows the user name when a session has no display name.
            ("DisplayName", .string(identity.displayName ?? identity.userName)),
            ("ReferrerUrl", returnURL.map(JSONValue.string)),
            ("BearerToken", tokens ? bearer.map(JSONValue.string) : nil),
            ("RefreshToken", tokens ? refresh.map { .string($0.refreshToken) } : nil),
            ("RefreshTokenExpiry", refresh.map { ServiceStackDate.json($0.refreshTokenExpiry) }),
            ("Roles", .array(identity.roles.map { .string($0.name) })),
            ("Permissions", .array(identity.permissions.map(JSONValue.string))),
        ])
    }
}
