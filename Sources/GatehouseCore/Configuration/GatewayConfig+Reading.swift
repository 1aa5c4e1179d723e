import Foundation

extension GatewayConfig {
    /// Parses and validates a `gateway.json` document, reporting every mistake at once.
    public static func parse(_ bytes: [UInt8]) throws(ConfigError) -> GatewayConfig {
        guard let document = JSONValue.parse(bytes) else {
            throw ConfigError(issues: [ConfigIssue(path: "(root)", message: "is not valid JSON")])
        }
        let log = IssueLog()
        guard var root = ObjectReader(document, path: "", log: log, required: true) else {
            throw ConfigError(issues: log.issues)
        }
        let config = GatewayConfig(
            server: readServer(root.object("server"), log: log),
            stateDirectory: root.string("stateDirectory", default: ".gatehouse"),
            keys: readKeys(root.object("keys")),
            dialects: readDialects(root.object("dialects"), log: log),
            authenticators: readAuthenticators(root.array("authenticators") ?? [], log: log),
            store: readStore(root.object("store"), log: log),
            lockout: readLockout(root.object("lockout")),
            routes: readRoutes(root.array("routes") ?? [], log: log),
            proxy: readProxy(root.object("proxy"), log: log),
            authz: readAuthz(root.object("authz"), log: log)
        )
        root.finish()
        if config.authenticators.isEmpty, log.issues.isEmpty {
            log.add("authenticators", "must list at least one authenticator")
        }
        if !log.issues.isEmpty { throw ConfigError(issues: log.issues) }
        return config
    }

    private static func readServer(_ reader: ObjectReader?, log: IssueLog) -> ServerSettings {
        guard var r = reader else { return ServerSettings(host: "127.0.0.1", port: 9900, maxBodyBytes: 65_536) }
        defer { r.finish() }
        var settings = ServerSettings(
            host: r.string("host", default: "127.0.0.1"),
            port: r.int("port", range: 0...65_535) ?? 9900,
            maxBodyBytes: r.int("maxBodyBytes", range: 1_024...16_777_216) ?? 65_536
        )
        if let idle = r.int("idleTimeoutSeconds", range: 1...3600) { settings.idleTimeoutSeconds = idle }
        if let grace = r.int("shutdownGraceSeconds", range: 0...3600) { settings.shutdownGraceSeconds = grace }
        if var tls = r.object("tls") {
            let certificate = tls.string("certificateFile", required: true)
            let key = tls.string("keyFile", required: true)
            tls.finish()
            if let certificate, let key { settings.tls = TLSSettings(certificateFile: certificate, keyFile: key) }
        }
        switch r.string("sameSite", default: "Lax") {
        case "Lax": settings.sameSite = "Lax"
        case "Strict": settings.sameSite = "Strict"
        case "None": settings.sameSite = "None"
        case "off": settings.sameSite = nil
        default: log.add(r.childPath("sameSite"), "must be one of Lax, Strict, None, off")
        }
        return settings
    }

    private static func readKeys(_ reader: ObjectReader?) -> KeySettings {
        guard var r = reader else { return KeySettings() }
        defer { r.finish() }
        let sealing = r.string("cookieSealingKey")
        if let sealing, Data(base64Encoded: sealing)?.count != 32 {
            r.log.add(r.childPath("cookieSealingKey"), "must be the base64 of 32 bytes")
        }
        var settings = KeySettings(jwtPrivateKeyPEM: r.string("jwtPrivateKey"), cookieSealingKey: sealing)
        if let refresh = r.int("refreshSeconds", range: 1...3600) { settings.refreshSeconds = refresh }
        return settings
    }

    private static func readStore(_ reader: ObjectReader?, log: IssueLog) -> StoreSettings {
        guard var r = reader else { return StoreSettings(type: .memory) }
        defer { r.finish() }
        let typeName = r.string("type", default: "memory")
        let kind = StoreKind(rawValue: typeName)
        if kind == nil { log.add(r.childPath("type"), "must be one of memory, sqlite, postgres") }
        let url = r.string("url")
        let path = r.string("path")
        switch kind {
        case .postgres?:
            if let url {
                if !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
                    // Never the URL itself in the message: it may hold the password.
                    log.add(r.childPath("url"), "must be a postgres:// URL")
                }
            } else {
                log.add(r.childPath("url"), "is required for a postgres store")
            }
            if path != nil { log.add(r.childPath("path"), "is only for a sqlite store") }
        case .sqlite?:
            if url != nil { log.add(r.childPath("url"), "is only for a postgres store") }
            if path?.isEmpty == true { log.add(r.childPath("path"), "must not be empty") }
        case .memory?, nil:
            if url != nil { log.add(r.childPath("url"), "is only for a postgres store") }
            if path != nil { log.add(r.childPath("path"), "is only for a sqlite store") }
        }
        return StoreSettings(
            type: kind ?? .memory, url: url, path: path, timeoutSeconds: r.int("timeoutSeconds", range: 1...60) ?? 2)
    }

    private static func readLockout(_ reader: ObjectReader?) -> LockoutSettings {
        let defaults = LockoutSettings()
        guard var r = reader else { return defaults }
        defer { r.finish() }
        func rule(_ prefix: String, _ fallback: LockoutRule) -> LockoutRule {
            LockoutRule(
                maxFailures: r.int(prefix + "MaxFailures", range: 1...100_000) ?? fallback.maxFailures,
                windowSeconds: r.int(prefix + "WindowSeconds", range: 1...86_400) ?? fallback.windowSeconds,
                lockSeconds: r.int(prefix + "LockSeconds", range: 1...86_400) ?? fallback.lockSeconds)
        }
        return LockoutSettings(
            enabled: r.bool("enabled", default: true), account: rule("account", defaults.account),
            address: rule("address", defaults.address))
    }

    private static func readRoutes(_ items: [(String, JSONValue)], log: IssueLog) -> [RouteSettings] {
        let routes: [RouteSettings] = items.compactMap { path, value in
            guard var r = ObjectReader(value, path: path, log: log, required: true) else { return nil }
            defer { r.finish() }
            let name = r.string("name", required: true) ?? ""
            let prefix = r.string("pathPrefix", required: true) ?? "/"
            if !prefix.hasPrefix("/") || prefix.contains("?") || prefix.contains("#") {
                log.add(r.childPath("pathPrefix"), "must be a path starting with /")
            }
            let upstreams: [String]
            switch r.raw("upstream") {
            case .string(let url)?: upstreams = [url]
            case .array?: upstreams = r.strings("upstream")
            case nil, .null?:
                // A decision-only route: forward auth applies its policy, the proxy never serves it.
                upstreams = []
            default:
                log.add(r.childPath("upstream"), "must be a URL or a list of URLs")
                upstreams = []
            }
            if case .array? = r.raw("upstream"), upstreams.isEmpty { log.add(r.childPath("upstream"), "must list at least one URL") }
            for url in upstreams where !isHTTPURL(url) || url.contains("?") {
                log.add(r.childPath("upstream"), "'\(redactingUserInfo(url))' must be an http or https URL without a query")
            }
            let methods = r.strings("methods").map { $0.uppercased() }
            for method in methods where method.isEmpty || !method.allSatisfy({ $0.isLetter || $0 == "-" }) {
                log.add(r.childPath("methods"), "'\(method)' is not an HTTP method")
            }
            let policyName = r.string("policy", default: "authenticated")
            let policy = RoutePolicy(rawValue: policyName)
            if policy == nil { log.add(r.childPath("policy"), "must be public or authenticated") }
            let roles = r.strings("roles")
            if policy == .public, !roles.isEmpty { log.add(r.childPath("roles"), "needs policy authenticated") }
            return RouteSettings(
                name: name, pathPrefix: prefix, upstreams: upstreams, host: r.string("host")?.lowercased(), methods: methods,
                stripPrefix: r.bool("stripPrefix", default: false), policy: policy ?? .authenticated, roles: roles,
                timeoutSeconds: r.int("timeoutSeconds", range: 1...3600) ?? 30, legacySession: r.string("legacySession"))
        }
        for issue in RouteOverlap.issues(in: routes) { log.add(issue.path, issue.message) }
        return routes
    }

    /// CIDR blocks (`10.0.0.0/8`, `::1/128`) or single addresses; each other entry is an issue.
    static func networks(_ entries: [String], at path: String, log: IssueLog) -> [IPNetwork] {
        entries.enumerated().compactMap { index, entry in
            guard let network = IPNetwork(entry) else {
                log.add("\(path)[\(index)]", "'\(entry)' is not an IP address or a CIDR block like 10.0.0.0/8 (host bits clear)")
                return nil
            }
            return network
        }
    }

    private static func readAuthz(_ reader: ObjectReader?, log: IssueLog) -> AuthzSettings {
        guard var r = reader else { return AuthzSettings() }
        defer { r.finish() }
        let name = r.string("defaultPolicy", default: AuthzSettings.DefaultPolicy.authenticated.rawValue)
        let policy = AuthzSettings.DefaultPolicy(rawValue: name)
        if policy == nil { log.add(r.childPath("defaultPolicy"), "must be authenticated, public or deny") }
        let trusted: [IPNetwork]? = r.raw("trustedProxies") == nil
            ? nil : networks(r.strings("trustedProxies"), at: r.childPath("trustedProxies"), log: log)
        return AuthzSettings(defaultPolicy: policy ?? .authenticated, trustedProxies: trusted)
    }

    private static func readProxy(_ reader: ObjectReader?, log: IssueLog) -> ProxySettings {
        guard var r = reader else { return ProxySettings() }
        defer { r.finish() }
        let defaults = ProxySettings()
        let settings = ProxySettings(
            userHeader: r.string("userHeader", default: defaults.userHeader),
            emailHeader: r.string("emailHeader", default: defaults.emailHeader),
            rolesHeader: r.string("rolesHeader", default: defaults.rolesHeader),
            assertionHeader: r.string("assertionHeader"),
            assertionLifetimeSeconds: r.int("assertionLifetimeSeconds", range: 5...3600) ?? defaults.assertionLifetimeSeconds,
            assertionAudience: r.string("assertionAudience", default: defaults.assertionAudience),
            signInPage: r.string("signInPage"),
            returnURLHosts: r.strings("returnURLHosts").map { $0.lowercased() },
            connectTimeoutSeconds: r.int("connectTimeoutSeconds", range: 1...60) ?? defaults.connectTimeoutSeconds,
            sendTimeoutSeconds: r.int("sendTimeoutSeconds", range: 1...3600) ?? defaults.sendTimeoutSeconds,
            trustedProxies: networks(r.strings("trustedProxies"), at: r.childPath("trustedProxies"), log: log))
        for (key, name) in [("userHeader", settings.userHeader), ("emailHeader", settings.emailHeader),
                            ("rolesHeader", settings.rolesHeader), ("assertionHeader", settings.assertionHeader ?? "X")]
        where name.isEmpty || !name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) {
            log.add(r.childPath(key), "must be an HTTP header name")
        }
        if settings.identityHeaderNames.count != settings.identityHeaders.count {
            log.add(r.path, "identity header names must differ from each other")
        }
        if let page = settings.signInPage, !page.hasPrefix("/"), !isHTTPURL(page) {
            log.add(r.childPath("signInPage"), "must be a path or an http(s) URL")
        }
        return settings
    }

    private static func readAuthenticators(_ items: [(String, JSONValue)], log: IssueLog) -> [AuthenticatorSettings] {
        var names: Set<String> = []
        return items.compactMap { path, value in
            guard var r = ObjectReader(value, path: path, log: log, required: true) else { return nil }
            defer { r.finish() }
            let name = r.string("name", required: true) ?? ""
            if !name.isEmpty, !names.insert(name).inserted { log.add(r.childPath("name"), "repeats the name '\(name)'") }
            switch r.string("type", required: true) {
            case "local":
                return .local(readLocal(&r, name: name))
            case "upstream":
                let dialectName = r.string("dialect", required: true)
                let dialect = dialectName.flatMap(DialectID.init(rawValue:))
                if dialectName != nil, dialect == nil {
                    log.add(r.childPath("dialect"), "must be one of aspnet, sso, webapi, baas, servicestack")
                }
                let url = r.string("url", required: true) ?? ""
                if !url.isEmpty, !isHTTPURL(url) { log.add(r.childPath("url"), "must be an http or https URL") }
                let timeout = r.int("timeoutSeconds", range: 1...300) ?? 5
                let certificate = r.string("clientCertificate"), key = r.string("clientKey")
                if (certificate == nil) != (key == nil) {
                    log.add(r.childPath(certificate == nil ? "clientCertificate" : "clientKey"), "is required with \(certificate == nil ? "clientKey" : "clientCertificate")")
                }
                return .upstream(UpstreamAuthenticatorSettings(
                    name: name, dialect: dialect ?? .aspnet, url: url, timeoutSeconds: timeout, apiKey: r.string("apiKey"),
                    connectTimeoutSeconds: r.int("connectTimeoutSeconds", range: 1...60) ?? 2,
                    caFile: r.string("caFile"), clientCertificate: certificate, clientKey: key))
            case nil:
                return nil
            case let other?:
                log.add(r.childPath("type"), "must be local or upstream, not '\(other)'")
                return nil
            }
        }
    }
}
