import Foundation

extension GatewayConfig {
    static func readDialects(_ reader: ObjectReader?, log: IssueLog) -> DialectSettings {
        var r = reader
        defer { r?.finish() }
        return DialectSettings(
            aspnet: readAspNet(r?.object("aspnet")),
            sso: readSSO(r?.object("sso")),
            webapi: readWebAPI(r?.object("webapi")),
            baas: readBaaS(r?.object("baas")),
            servicestack: readServiceStack(r?.object("servicestack"))
        )
    }

    private static func readAspNet(_ reader: ObjectReader?) -> AspNetSettings {
        var r = reader
        defer { r?.finish() }
        let routes = r?.strings("routes") ?? ["1"]
        for (i, route) in routes.enumerated() where route.isEmpty || route.contains("/") {
            r?.log.add("dialects.aspnet.routes[\(i)]", "must be one non-empty path segment")
        }
        return AspNetSettings(
            enabled: r?.bool("enabled", default: true) ?? true,
            routes: routes,
            ticketLifetimeSeconds: r?.int("ticketLifetimeSeconds", range: 60...31_536_000) ?? 1_209_600,
            cookieDomain: r?.string("cookieDomain"),
            secureCookies: r?.bool("secureCookies", default: false) ?? false
        )
    }

    private static func readSSO(_ reader: ObjectReader?) -> SSOSettings {
        var r = reader
        defer { r?.finish() }
        let secret = r?.string("sharedSecret")
        if let secret, secret.utf8.count < 32 {
            r?.log.add("dialects.sso.sharedSecret", "must be at least 32 bytes (HS256 key)")
        }
        return SSOSettings(
            enabled: r?.bool("enabled", default: true) ?? true,
            path: readPath(&r, "path", default: "/api/v2/sso/signin"),
            sharedSecret: secret
        )
    }

    private static func readWebAPI(_ reader: ObjectReader?) -> WebAPISettings {
        var r = reader
        defer { r?.finish() }
        let version = r?.ints("webApiVersion") ?? []
        if !version.isEmpty, version.count != 3 {
            r?.log.add("dialects.webapi.webApiVersion", "must be [Major, Minor, Build]")
        }
        return WebAPISettings(
            enabled: r?.bool("enabled", default: true) ?? true,
            path: readPath(&r, "path", default: "/api/Account/SignIn"),
            tokenLifetimeSeconds: r?.int("tokenLifetimeSeconds", range: 60...31_536_000) ?? 3600,
            issuer: r?.string("issuer") ?? "gatehouse",
            audience: r?.string("audience") ?? "gatehouse",
            apiKeyHolder: r?.string("apiKeyHolder"),
            classVersion: r?.int("classVersion") ?? 1,
            version: version.count == 3 ? version : [1, 3, 0]
        )
    }

    private static func readBaaS(_ reader: ObjectReader?) -> BaaSSettings {
        var r = reader
        defer { r?.finish() }
        let keys = r?.strings("apiKeys") ?? []
        for (i, key) in keys.enumerated() where key.split(separator: " ", omittingEmptySubsequences: false).count != 3 {
            r?.log.add("dialects.baas.apiKeys[\(i)]", "must be three space-separated parts: type, identifier, id")
        }
        return BaaSSettings(
            enabled: r?.bool("enabled", default: true) ?? true,
            pathPrefix: readPath(&r, "pathPrefix", default: "/v2/auth"),
            apiKeys: keys
        )
    }

    private static func readServiceStack(_ reader: ObjectReader?) -> ServiceStackSettings {
        var r = reader
        defer { r?.finish() }
        let caseName = r?.string("textCase") ?? "auto"
        let textCase = TextCase(rawValue: caseName)
        if textCase == nil { r?.log.add("dialects.servicestack.textCase", "must be auto, PascalCase or camelCase") }
        return ServiceStackSettings(
            enabled: r?.bool("enabled", default: true) ?? true,
            textCase: textCase ?? .auto,
            issuer: r?.string("issuer") ?? "ssjwt",
            bearerTokenLifetimeSeconds: r?.int("bearerTokenLifetimeSeconds", range: 60...31_536_000) ?? 1_209_600,
            refreshTokenLifetimeSeconds: r?.int("refreshTokenLifetimeSeconds", range: 60...315_360_000) ?? 31_536_000,
            sessionLifetimeSeconds: r?.int("sessionLifetimeSeconds", range: 60...31_536_000) ?? 1_209_600,
            useTokenCookie: r?.bool("useTokenCookie", default: false) ?? false
        )
    }

    private static func readPath(_ r: inout ObjectReader?, _ key: String, default fallback: String) -> String {
        guard let path = r?.string(key) else { return fallback }
        if !path.hasPrefix("/") { r?.log.add("\(r?.childPath(key) ?? key)", "must start with /") }
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
