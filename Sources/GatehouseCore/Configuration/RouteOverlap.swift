/// Routes that could never be told apart: same path prefix, same host and a method in common.
/// The longest prefix decides between different prefixes, so only equal ones can clash.
enum RouteOverlap {
    static func issues(in routes: [RouteSettings]) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        var names: Set<String> = []
        for (index, route) in routes.enumerated() {
            if !route.name.isEmpty, !names.insert(route.name).inserted {
                issues.append(ConfigIssue(path: "routes[\(index)].name", message: "repeats the name '\(route.name)'"))
            }
            for (earlierIndex, earlier) in routes[..<index].enumerated()
            where earlier.normalizedPrefix == route.normalizedPrefix && earlier.host == route.host
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
