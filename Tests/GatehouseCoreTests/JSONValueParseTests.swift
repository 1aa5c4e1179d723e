import GatehouseCore
import Testing

/// `JSONValue.parse`: strict RFC 8259, members in document order.
@Suite struct JSONValueParseTests {
    private func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    @Test func objectMembersKeepDocumentOrderWithDuplicates() throws {
        let text = #"{"userName":"a","Password":"b","RememberMe":true,"provider":"credentials","Password":"c","z":null,"A":1}"#
        // Hashing is seeded per process and per dictionary: an order that came from a dictionary
        // would differ between these parses.
        for _ in 0..<50 {
            guard case .object(let members)? = parse(text) else {
                Issue.record("not an object")
                return
            }
            #expect(members.map(\.0) == ["userName", "Password", "RememberMe", "provider", "Password", "z", "A"])
            #expect(members[4].1 == .string("c"))
        }
        // The first of duplicate members answers a lookup.
        #expect(parse(text)?["Password"] == .string("b"))
    }

    @Test func writingAParsedDocumentGivesItsBytesBack() {
        let text = #"{"b":[1,-2,3.5,true,false,null,"x\"\\\n"],"a":{},"c":[],"d":{"e":[[{}]]}}"#
        #expect(parse(text)?.text == text)
    }

    @Test(arguments: [
        ("0", JSONValue.int(0)),
        ("-0", .int(0)),
        ("  7\r\n\t", .int(7)),
        ("9223372036854775807", .int(Int.max)),
        ("-9223372036854775808", .int(Int.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.5", .double(1.5)),
        ("1E+2", .double(100)),
        ("-2.5e-1", .double(-0.25)),
        ("true", .bool(true)),
        ("null", .null),
        (#""\u00e9\/\b\f\n\r\t""#, .string("é/\u{08}\u{0C}\n\r\t")),
        (#""\ud83d\ude00""#, .string("😀")),
        ("\"\u{1F600}é\"", .string("😀é")),
        ("\u{FEFF}{\"a\":1}", .object([("a", .int(1))])),
        (#"[ 1 , { "k" : [ ] } ]"#, .array([.int(1), .object([("k", .array([]))])])),
    ])
    func wellFormedDocumentsParse(text: String, expected: JSONValue) {
        #expect(parse(text) == expected)
    }

    /// Each of these is refused as a whole; none may crash.
    @Test(arguments: [
        "", " ", "{", "}", "[", "[1,]", "[,1]", "[1 2]", #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":1 "b":2}"#, "{a:1}", "{'a':1}",
        #"{"a"}"#, #"{1:2}"#, "[1]]", "[1] x", "1 2", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1e400",
        "-1e400", "NaN", "Infinity", "tru", "nul", "True", "\"abc", #""\x""#, #""\u12""#, #""\u12G4""#, "\"a\nb\"",
        "\"a\u{0}b\"", #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#, "/* c */1", "\u{A0}1", "\u{FEFF}\u{FEFF}1",
    ])
    func malformedDocumentsAreRefused(text: String) {
        #expect(parse(text) == nil)
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x28, 0x22],  // a lead byte without its continuation
        [0x22, 0xC0, 0xAF, 0x22],  // an overlong "/"
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // a UTF-16 surrogate encoded as UTF-8
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
        [0x22, 0x80, 0x22],  // a lone continuation byte
        [0xFF],
    ] as [[UInt8]])
    func invalidUTF8IsRefused(bytes: [UInt8]) {
        #expect(JSONValue.parse(bytes) == nil)
    }

    @Test func nestingUpTo512LevelsParsesAndDeeperIsRefused() {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(parse(deepest) != nil)
        let objects = String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)
        #expect(parse(objects) != nil)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(parse(tooDeep) == nil)
    }

    @Test func aMillionOpeningBracketsAreRefusedWithoutExhaustingTheStack() {
        #expect(JSONValue.parse([UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)) == nil)
        #expect(JSONValue.parse(Array(String(repeating: #"{"a":"#, count: 200_000).utf8)) == nil)
    }

    @Test func aLongFlatArrayParsesInOnePass() {
        let count = 200_000
        let text = "[" + Array(repeating: "1", count: count).joined(separator: ",") + "]"
        guard case .array(let items)? = parse(text) else {
            Issue.record("not an array")
            return
        }
        #expect(items.count == count)
    }
}
