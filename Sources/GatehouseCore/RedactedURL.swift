/// `url` with the user name and password of its authority, if any, replaced by `***`: what logs,
/// configuration errors and summaries may show of an upstream URL (`http://svc:secret@crm:8080/x`
/// becomes `http://***@crm:8080/x`).
public func redactingUserInfo(_ url: String) -> String {
    guard let schemeEnd = url.firstRange(of: "://") else { return url }
    let authorityStart = schemeEnd.upperBound
    let authorityEnd = url[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
    guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return url }
    return String(url[..<authorityStart]) + "***" + String(url[at...])
}
