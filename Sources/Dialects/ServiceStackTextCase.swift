import GatehouseCore

/// Decides whether a ServiceStack answer is written in camelCase.
///
/// ServiceStack's C# and TypeScript clients read PascalCase, its Python `JsonServiceClient` only
/// camelCase, so the answer follows the caller: configuration pins a casing when it names one;
/// otherwise `?jsconfig=TextCase:CamelCase` decides, then the casing of the request's own member
/// names, and PascalCase when nothing tells.
enum ServiceStackTextCase {
    /// Request DTO members whose casing tells PascalCase from camelCase. `provider` is left out:
    /// the DTO itself declares it in lower case, so every client sends it that way.
    private static let tellingMembers: Set<String> = [
        "username", "password", "rememberme", "accesstoken", "accesstokensecret", "returnurl", "errorview",
        "meta", "usetokencookie", "refreshtoken",
    ]

    static func camelCase(setting: TextCase, jsconfig: String?, memberNames: [String]) -> Bool {
        switch setting {
        case .camelCase: return true
        case .pascalCase: return false
        case .auto: break
        }
        if let jsconfig, let chosen = fromJSConfig(jsconfig) { return chosen }
        for name in memberNames where tellingMembers.contains(name.lowercased()) {
            if let first = name.unicodeScalars.first { return first.properties.isLowercase }
        }
        return false
    }

    /// Reads `TextCase:CamelCase` (or the short `tc:cc`) and the older `EmitCamelCaseNames:true`
    /// from a comma-separated `jsconfig` value; `nil` when it says nothing about casing.
    static func fromJSConfig(_ value: String) -> Bool? {
        var chosen: Bool?
        for item in value.split(separator: ",") {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingWhitespace().lowercased() }
            let name = parts[0]
            let setting = parts.count > 1 ? parts[1] : "true"
            switch (name, setting) {
            case ("textcase", "camelcase"), ("tc", "cc"), ("textcase", "cc"), ("tc", "camelcase"): chosen = true
            case ("textcase", "pascalcase"), ("tc", "pc"), ("textcase", "pc"), ("tc", "pascalcase"),
                ("textcase", "default"), ("tc", "default"):
                chosen = false
            case ("emitcamelcasenames", "true"), ("eccn", "true"): chosen = true
            case ("emitcamelcasenames", "false"), ("eccn", "false"): chosen = false
            default: continue
            }
        }
        return chosen
    }
}
