import Foundation
import PostgresNIO

/// `store.url` in libpq's URL form, `postgres://user:password@host:port/database?sslmode=…`, as a
/// `PostgresClient` configuration. Errors name the part that is wrong, never the URL (it may hold the
/// password).
enum PostgresURL {
    static func configuration(_ url: String) throws(StoreError) -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme ?? "") else {
            throw .invalidURL(reason: "must be a postgres:// URL")
        }
        guard let host = parts.host, !host.isEmpty else { throw .invalidURL(reason: "names no host") }
        guard let user = parts.user, !user.isEmpty else { throw .invalidURL(reason: "names no user") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        var tls = PostgresClient.Configuration.TLS.prefer(.makeClientConfiguration())
        for item in parts.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"): tls = .disable
            case ("sslmode", "allow"), ("sslmode", "prefer"): tls = .prefer(insecureClient())
            case ("sslmode", "require"): tls = .require(insecureClient())
            case ("sslmode", "verify-ca"), ("sslmode", "verify-full"): tls = .require(.makeClientConfiguration())
            case ("sslmode", let mode): throw .invalidURL(reason: "sslmode '\(mode)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
            case ("application_name", _), ("connect_timeout", _): continue
            case (let name, _): throw .invalidURL(reason: "the parameter '\(name)' is not supported (sslmode is)")
            }
        }
        return PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: parts.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? nil : (database.removingPercentEncoding ?? database), tls: tls)
    }

    /// libpq's `require` and `prefer` encrypt without checking the server's certificate.
    private static func insecureClient() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}
