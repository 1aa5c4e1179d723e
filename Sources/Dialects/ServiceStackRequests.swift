/// ServiceStack's `Authenticate` request DTO, bound from the query string and the body.
struct ServiceStackAuthenticate {
    var provider: String?
    var userName: String?
    var password: String?
    var rememberMe: Bool?
    var accessToken: String?
    var accessTokenSecret: String?
    var returnURL: String?
    var errorView: String?
    var meta: [String: String]
    var useTokenCookie: Bool?

    /// Binds every member in the DTO's order, so binding errors are listed in that order.
    /// `pathProvider` (`/auth/{provider}`) wins over any `provider` member, as route variables do.
    init(_ binder: inout ServiceStackBinder, pathProvider: String?) {
        let boundProvider = binder.string("provider")
        provider = pathProvider ?? boundProvider
        userName = binder.string("UserName")
        password = binder.string("Password")
        rememberMe = binder.bool("RememberMe")
        accessToken = binder.string("AccessToken")
        accessTokenSecret = binder.string("AccessTokenSecret")
        returnURL = binder.string("ReturnUrl")
        errorView = binder.string("ErrorView")
        meta = binder.stringMap("Meta")
        useTokenCookie = binder.bool("UseTokenCookie")
    }

    /// FluentValidation's `NotEmpty` rules of ServiceStack's credentials validator, user name first.
    var credentialErrors: [ServiceStackFieldError] {
        var errors: [ServiceStackFieldError] = []
        if isBlank(userName) { errors.append(.notEmpty("UserName", label: "User Name")) }
        if isBlank(password) { errors.append(.notEmpty("Password", label: "Password")) }
        return errors
    }
}

/// ServiceStack's `GetAccessToken` request DTO (`POST /access-token`).
struct ServiceStackGetAccessToken {
    /// `nil` when absent or blank.
    var refreshToken: String?
    var useTokenCookie: Bool?
    var meta: [String: String]

    init(_ binder: inout ServiceStackBinder) {
        let token = binder.string("RefreshToken")
        refreshToken = isBlank(token) ? nil : token
        useTokenCookie = binder.bool("UseTokenCookie")
        meta = binder.stringMap("Meta")
    }
}

/// `NotEmpty` semantics: absent, empty and whitespace-only values are all missing.
private func isBlank(_ value: String?) -> Bool {
    guard let value else { return true }
    return value.allSatisfy(\.isWhitespace)
}
