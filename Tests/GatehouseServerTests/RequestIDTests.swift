@testable import GatehouseServer
import Testing

@Suite struct RequestIDTests {
    @Test func isALowerCaseVersion4UUID() {
        var seen: Set<String> = []
        for _ in 0..<1000 {
            let id = RequestID.make()
            let parts = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            #expect(parts == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase })
            #expect(Array(id)[14] == "4")
            #expect("89ab".contains(Array(id)[19]))
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }
}
