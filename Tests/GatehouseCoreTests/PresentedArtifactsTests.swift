import GatehouseCore
import Testing

@Suite struct PresentedArtifactsTests {
    @Test func everyArtifactIsReadInTheDocumentedOrder() {
        let headers = [
            ("X-ss-pid", "hpid"), ("cookie", "ss-pid=pid; ss-id=id; .AspNet.ApplicationCookie=ticket; ss-tok=tok"),
            ("authorization", "bearer jwt"), ("X-SS-ID", "hid"),
        ]
        #expect(PresentedArtifacts.find(in: headers) == [
            .serviceStackSession("hid"), .bearer("jwt"), .bearer("tok"), .applicationCookie("ticket"),
            .serviceStackSession("id"), .serviceStackSession("pid"), .serviceStackSession("hpid"),
        ])
        #expect(PresentedArtifacts.find(in: [("Authorization", "Basic x"), ("Authorization", "Bearer "), ("X-ss-id", "")]).isEmpty)
    }

    @Test func cookiesAreUnquotedTheFirstOfANameWinsAndEmptyOnesAreSkipped() {
        let headers = [("Cookie", "ss-id=\"q1\"; ss-id=second; ss-pid=; a=\""), ("Cookie", "ss-pid=p")]
        #expect(PresentedArtifacts.cookies(in: headers) == ["ss-id": "q1", "ss-pid": "p", "a": "\""])
        #expect(PresentedArtifacts.find(in: headers) == [.serviceStackSession("q1"), .serviceStackSession("p")])
        // What the proxy passes on is as sent.
        #expect(PresentedArtifacts.cookiePairs(in: headers).map(\.1) == ["\"q1\"", "second", "", "\"", "p"])
    }

    @Test(arguments: [("Bearer abc", "abc"), ("bearer   abc ", "abc"), ("Basic abc", nil), ("Bearer", nil), ("Bearer  ", nil)] as [(String, String?)])
    func bearerTokens(value: String, token: String?) {
        #expect(PresentedArtifacts.bearerToken(value) == token)
    }
}
