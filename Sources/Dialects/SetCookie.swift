import Foundation
import GatehouseCore

/// One `Set-Cookie` header value, written the way the legacy server wrote it.
public struct SetCookie: Sendable, Equatable {
    public var name: String
    public var value: String
    public var path: String = "/"
    public var expires: Date?
    /// Written `expires=Thu, 01-Jan-1970 00:00:00 GMT` (the .NET form) instead of RFC 1123.
    public var dashedExpires: Bool = false
    public var secure: Bool = false
    public var httpOnly: Bool = true
    public var sameSite: String?

    public init(name: String, value: String, path: String = "/", expires: Date? = nil, dashedExpires: Bool = false,
                secure: Bool = false, httpOnly: Bool = true, sameSite: String? = nil) {
        self.name = name
        self.value = value
        self.path = path
        self.expires = expires
        self.dashedExpires = dashedExpires
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    public var headerValue: String {
        var parts = ["\(name)=\(value)", "path=\(path)"]
        if let expires {
            parts.append("expires=\(dashedExpires ? HTTPDate.dashed(expires) : HTTPDate.rfc1123(expires))")
        }
        if secure { parts.append("secure") }
        if httpOnly { parts.append("HttpOnly") }
        if let sameSite { parts.append("SameSite=\(sameSite)") }
        return parts.joined(separator: "; ")
    }
}

extension SetCookie {
    /// The cookie with the server's attributes on top of its own: `Secure` under TLS, and the
    /// configured `SameSite` in place of the dialect's.
    public func applying(_ policy: CookiePolicy) -> SetCookie {
        var cookie = self
        cookie.secure = secure || policy.secure
        if let sameSite = policy.sameSite { cookie.sameSite = sameSite }
        return cookie
    }
}

/// Dates as HTTP and legacy .NET servers write them, always in UTC.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func parts(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    }

    private static func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }

    /// `Thu, 01 Jan 1970 00:00:00 GMT`
    public static func rfc1123(_ date: Date) -> String {
        let c = parts(date)
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }

    /// `Thu, 01-Jan-1970 00:00:00 GMT` (System.Net and Katana write cookie dates this way).
    public static func dashed(_ date: Date) -> String {
        let c = parts(date)
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day))-\(months[(c.month ?? 1) - 1])-\(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }

    /// `2013-11-07T12:00:00Z`
    public static func iso8601(_ date: Date) -> String {
        let c = parts(date)
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }
}
