import Testing

@testable import Upstream

/// Header lines arrive from libcurl one per callback, CRLF included.
@Suite struct ResponseHeaderParserTests {
    private func parse(_ lines: [String]) -> [Header] {
        var parser = ResponseHeaderParser()
        for line in lines { parser.consume(Array(line.utf8)) }
        return parser.headers.map { Header(name: $0.0, value: $0.1) }
    }

    @Test func collectsNameValuePairsInWireOrderWithBlanksTrimmed() {
        let headers = parse(["HTTP/1.1 200 OK\r\n", "Content-Type:  text/plain \r\n", "Set-Cookie: a=1\r\n", "Set-Cookie: b=2\r\n", "\r\n"])
        #expect(headers == [Header(name: "Content-Type", value: "text/plain"), Header(name: "Set-Cookie", value: "a=1"), Header(name: "Set-Cookie", value: "b=2")])
    }

    @Test func keepsOnlyTheFinalResponseAfterAnInterimOne() {
        let headers = parse(["HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n", "HTTP/1.1 201 Created\r\n", "Location: /x\r\n", "\r\n"])
        #expect(headers == [Header(name: "Location", value: "/x")])
    }

    @Test func keepsAColonInsideTheValue() {
        #expect(parse(["HTTP/2 200\r\n", "location: http://h:8080/p\r\n"]) == [Header(name: "location", value: "http://h:8080/p")])
    }

    @Test func joinsAFoldedContinuationLineToThePreviousValue() {
        #expect(parse(["HTTP/1.1 200 OK\r\n", "X-Long: one\r\n", " two\r\n"]) == [Header(name: "X-Long", value: "one two")])
    }

    @Test func ignoresLinesWithoutAColonOrAName() {
        #expect(parse(["HTTP/1.1 200 OK\r\n", "garbage\r\n", ": nameless\r\n"]) == [])
    }

    /// libcurl passes on any header line with a colon; one that starts like a status line is still a
    /// header of the response under way (found by fuzz/FuzzUpstreamHeaders: a long digit run overflowed).
    @Test func readsAHeaderLineThatLooksLikeAStatusLineAsAHeader() {
        var parser = ResponseHeaderParser()
        for line in ["HTTP/1.1 200 OK\r\n", "X-A: 1\r\n", "HTTP/1.1 99999999999999999999999: boom\r\n", "HTTP/1.1 1000: x\r\n", "\r\n"] {
            parser.consume(Array(line.utf8))
        }
        #expect(parser.status == 200)
        #expect(parser.headers.map(\.0) == ["X-A", "HTTP/1.1 99999999999999999999999", "HTTP/1.1 1000"])
    }

    /// libcurl passes a chunked body's trailers on after the final head's blank line: one shaped like a
    /// status line does not start a response, so the status stays the final one.
    @Test func aTrailerShapedLikeAStatusLineKeepsTheFinalStatus() {
        var parser = ResponseHeaderParser()
        for line in ["HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "X-A: 1\r\n", "\r\n", "HTTP/1.1 500: x\r\n", "\r\n"] {
            parser.consume(Array(line.utf8))
        }
        #expect(parser.status == 200)
        #expect(parser.headers.map(\.0) == ["X-A", "HTTP/1.1 500"])
    }

    @Test func takesAStatusCodeOfThreeDigitsOnly() {
        func status(_ line: String) -> Int {
            var parser = ResponseHeaderParser()
            parser.consume(Array(line.utf8))
            return parser.status
        }
        #expect(status("HTTP/1.1 404 Not Found\r\n") == 404)
        #expect(status("HTTP/2 200\r\n") == 200)
        #expect(status("HTTP/2 2004444444444444444444444444\r\n") == 0)
        #expect(status("HTTP/1.1 20\r\n") == 0)
    }
}

/// An Equatable header pair, since tuples are not.
struct Header: Equatable, CustomStringConvertible {
    var name: String
    var value: String
    var description: String { "\(name): \(value)" }
}
