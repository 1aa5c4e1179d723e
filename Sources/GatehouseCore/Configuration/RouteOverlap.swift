/// Routes that could never be told apart: same path prefix, same host and a method in common.
/// The longest prefix decides between different prefixes, so only equal ones can clash.
enum RouteOverlap {
    /// A prefix with its trailing slash dropped (`/crm/` and `/crm` are one route), `/` kept.
    static func normalized(_ prefix: String) -> String {
        var prefix = Substring(prefix)
        while prefix.count > 1, prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        return String(prefix)
    }

    static func issues(in routes: [RouteSettings]) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        var names: Set<String> = []
        for (index, route) in routes.enumerated() {
            if !route.name.isEmpty, !names.insert(route.name).inserted {
                issues.append(ConfigIssue(path: "routes[\(index)].name", message: "repeats the name '\(route.name)'"))
            }
            for (earlierIndex, earlier) in routes[..<index].enumerated()
            where normalized(earlier.pathPrefix) == normalized(route.pathPrefix) && earlier.host == route.host
                && (earlier.methods.isEmpty || route.methods.isEmpty || !Set(earlier.methods).isDisjoint(with: route.methods))
            {
                issues.append(ConfigIssue(
                    path: "routes[\(index)]",
                    message: "overlaps routes[\(earlierIndex)] ('\(earlier.name)'): same pathPrefix and host, and a method in common"))
            }
        }
        return issues
    }
}
