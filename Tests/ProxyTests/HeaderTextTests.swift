import GatehouseCore
@testable import Proxy
import Testing

@Suite struct HeaderTextTests {
    @Test func namesCompareWithoutASCIICase() {
        #expect("Authorization".equalsIgnoringASCIICase("authorization"))
        #expect("AUTHORIZATION".equalsIgnoringASCIICase("authorization"))
        #expect("authorization".equalsIgnoringASCIICase("authorization"))
        #expect(!"Authorisation".equalsIgnoringASCIICase("authorization"))
        #expect(!"Authorization2".equalsIgnoringASCIICase("authorization"))
        #expect(!"".equalsIgnoringASCIICase("cookie"))
        // Only ASCII letters fold: "[" (0x5B) is not "{" (0x7B), and "K" (U+212A, Kelvin) is not "k".
        #expect(!"[".equalsIgnoringASCIICase("{"))
        #expect(!"\u{212A}ey".equalsIgnoringASCIICase("key"))
    }

    @Test func trimsSpacesAndTabsOnly() {
        #expect(" \tBearer abc \t".trimmingSpacesAndTabs() == "Bearer abc")
        #expect("keep-alive".trimmingSpacesAndTabs() == "keep-alive")
        #expect(" \t ".trimmingSpacesAndTabs() == "")
        #expect("\u{00A0}x\u{00A0}".trimmingSpacesAndTabs() == "\u{00A0}x\u{00A0}")
        #expect("a b".split(separator: " ")[1].trimmingSpacesAndTabs() == "b")
    }
}
