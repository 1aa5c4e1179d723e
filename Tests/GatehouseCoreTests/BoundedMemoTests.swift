import GatehouseCore
import Testing

@Suite struct BoundedMemoTests {
    @Test func remembersAnswersAndStartsAfreshWhenFull() {
        let memo = BoundedMemo<String, Bool>(capacity: 4096)
        #expect(memo.value(for: "GET /a") == nil)
        memo.remember(true, for: "GET /a")
        memo.remember(false, for: "GET /b")
        #expect(memo.value(for: "GET /a") == true)
        #expect(memo.value(for: "GET /b") == false)
        for index in 0..<(memo.capacity - 2) { memo.remember(false, for: "GET /fill/\(index)") }
        // Full: the next answer clears what was there.
        memo.remember(true, for: "GET /c")
        #expect(memo.value(for: "GET /a") == nil)
        #expect(memo.value(for: "GET /c") == true)
    }
}
