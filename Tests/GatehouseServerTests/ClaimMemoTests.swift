@testable import GatehouseServer
import Testing

@Suite struct ClaimMemoTests {
    @Test func remembersAnswersAndStartsAfreshWhenFull() {
        let memo = ClaimMemo()
        #expect(memo.answer(for: "GET /a") == nil)
        memo.remember(true, for: "GET /a")
        memo.remember(false, for: "GET /b")
        #expect(memo.answer(for: "GET /a") == true)
        #expect(memo.answer(for: "GET /b") == false)
        for index in 0..<(ClaimMemo.capacity - 2) { memo.remember(false, for: "GET /fill/\(index)") }
        // Full: the next answer clears what was there.
        memo.remember(true, for: "GET /c")
        #expect(memo.answer(for: "GET /a") == nil)
        #expect(memo.answer(for: "GET /c") == true)
    }
}
