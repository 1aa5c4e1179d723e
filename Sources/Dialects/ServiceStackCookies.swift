import Foundation
import GatehouseCore

/// The cookies ServiceStack sets: `ss-id`, `ss-pid`, `ss-opt`, and with `UseTokenCookie` the
/// `ss-tok`/`ss-reftok` token cookies. All are `HttpOnly`, `path=/` and `SameSite=Lax`.
enum ServiceStackCookies {
    /// The cookies of one sign-in. `ss-pid` and `ss-opt` live 20 years from `issuedAt`, as
    /// ServiceStack's permanent cookies do; `ss-id` lives as long as the browser session.
    /// With `tokens`, the bearer and refresh tokens come along, each expiring with its token.
    static func signIn(_ session: ServiceStackSession, issuedAt: Date, remember: Bool, tokens: Bool, bearerExpiry: Date?) -> [SetCookie] {
        let permanent = twentyYears(after: issuedAt)
        var cookies = [
            cookie("ss-id", session.sessionID),
            cookie("ss-pid", session.permanentID, expires: permanent),
            cookie("ss-opt", remember ? "perm" : "temp", expires: permanent),
        ]
        if tokens {
            if !session.bearerToken.isEmpty { cookies.append(cookie("ss-tok", session.bearerToken, expires: bearerExpiry)) }
            if !session.refreshToken.isEmpty {
                cookies.append(cookie("ss-reftok", session.refreshToken, expires: session.refreshTokenExpiry))
            }
        }
        return cookies
    }

    /// `ss-tok` carrying a refreshed access token.
    static func accessToken(_ token: String, expires: Date?) -> SetCookie {
        cookie("ss-tok", token, expires: expires)
    }

    /// Sign-out: every session and token cookie, emptied and expired at the epoch.
    static let expired: [SetCookie] = ["ss-id", "ss-pid", "ss-tok", "ss-reftok"].map {
        cookie($0, "", expires: Date(timeIntervalSince1970: 0))
    }

    private static func cookie(_ name: String, _ value: String, expires: Date? = nil) -> SetCookie {
        SetCookie(name: name, value: value, path: "/", expires: expires, httpOnly: true, sameSite: "Lax")
    }

    /// `DateTime.UtcNow.AddYears(20)`: calendar years, so the day and time of day are kept.
    static func twentyYears(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(byAdding: .year, value: 20, to: date) ?? date.addingTimeInterval(20 * 365.25 * 86_400)
    }
}

/// The `exp` of a JWT, read without checking the signature: only to date a cookie that carries
/// the token, never to trust it.
enum ServiceStackJWT {
    static func expiry(of token: String) -> Date? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let payload = JSONValue.parse(Array(data)) else { return nil }
        switch payload["exp"] {
        case .int(let seconds)?: return Date(timeIntervalSince1970: Double(seconds))
        case .double(let seconds)?: return Date(timeIntervalSince1970: seconds)
        default: return nil
        }
    }
}

/// `RefreshTokenExpiry` as ServiceStack.Text writes a UTC `DateTime`: `"\/Date(1700000000000)\/"`.
enum ServiceStackDate {
    static func json(_ date: Date) -> JSONValue {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        return .fragment("\"\\/Date(\(milliseconds))\\/\"")
    }
}
