import GatehouseCore
import Testing

@Suite struct RedactedURLTests {
    @Test(arguments: [
        ("http://svc:s3cret@crm.internal:8080/app", "http://***@crm.internal:8080/app"),
        ("https://user@crm.internal", "https://***@crm.internal"),
        // An @ in the path or query is not user info.
        ("http://crm.internal/users/@me?to=a@b", "http://crm.internal/users/@me?to=a@b"),
        ("http://a:b@c@crm.internal/x", "http://***@crm.internal/x"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("not a url", "not a url"),
    ])
    func userNamesAndPasswordsAreHidden(url: String, shown: String) {
        #expect(redactingUserInfo(url) == shown)
    }
}
