import GatehouseCore

/// A few lines telling an operator what a configuration sets up (`gatehouse check-config`).
public struct ConfigSummary {
    public let text: String

    public init(_ config: GatewayConfig) {
        let enabled = DialectID.allCases.filter { config.dialects.isEnabled($0) }.map(\.rawValue)
        let chain = config.authenticators.map { settings -> String in
            switch settings {
            case .local(let l): "\(l.name) (local, \(l.users.count) users)"
            case .upstream(let u): "\(u.name) (upstream \(u.dialect.rawValue) \(redactingUserInfo(u.url)))"
            }
        }
        text = """
            listen: \(config.server.host):\(config.server.port)
            dialects: \(enabled.joined(separator: ", "))
            authenticators: \(chain.joined(separator: " → "))
            store: \(config.store.type.rawValue)
            routes: \(config.routes.count)
            """
    }
}
