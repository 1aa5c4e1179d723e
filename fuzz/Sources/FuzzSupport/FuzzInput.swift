import CFuzzDriver
import Dialects
import Foundation

/// The bytes libFuzzer hands a target, with the few ways the targets read them.
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>?, _ count: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    }

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The bytes as text (invalid UTF-8 replaced, as a server's decoding would).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The first byte picks a mode; the rest is the input proper.
    public var modeAndRest: (mode: UInt8, rest: [UInt8]) {
        guard let first = bytes.first else { return (0, []) }
        return (first, Array(bytes.dropFirst()))
    }

    /// Lines split on LF, a CR before it dropped: header blocks in the seeds read as on the wire.
    public static func lines(_ bytes: some Collection<UInt8>) -> [String] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            return String(decoding: trimmed, as: UTF8.self)
        }
    }

    /// `Name: value` lines as header pairs; a line without a colon is a name with an empty value.
    public static func headers(_ lines: some Sequence<String>) -> [(String, String)] {
        lines.map { line in
            guard let colon = line.firstIndex(of: ":") else { return (line, "") }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            return (String(line[..<colon]), String(value))
        }
    }

    /// An HTTP request written as on the wire: `METHOD target`, header lines, a blank line, the body.
    public var wireRequest: WireRequest {
        let separator: [UInt8] = [0x0A, 0x0A]
        var headEnd = bytes.count, bodyStart = bytes.count
        if let range = bytes.firstRange(of: separator) {
            headEnd = range.lowerBound
            bodyStart = range.upperBound
        } else if let range = bytes.firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A] as [UInt8]) {
            headEnd = range.lowerBound
            bodyStart = range.upperBound
        }
        let lines = Self.lines(bytes[..<headEnd])
        let requestLine = lines.first ?? ""
        let parts = requestLine.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let method = parts.first.map(String.init) ?? "GET"
        let (path, query) = splitTarget(parts.count > 1 ? String(parts[1]) : "/")
        return WireRequest(
            method: method, path: path, query: query, headers: WireHeaders(Self.headers(lines.dropFirst())),
            body: Array(bytes[bodyStart...]), remoteAddress: "127.0.0.1")
    }
}

/// Runs async work to completion from libFuzzer's synchronous callback.
public func runBlocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let semaphore = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        box.value = await work()
        semaphore.signal()
    }
    semaphore.wait()
    guard let value = box.value else { fatalError("runBlocking: work finished without a value") }
    return value
}

/// Written by one task, read after the semaphore: the semaphore orders the two.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Runs the target's `LLVMFuzzerTestOneInput` under libFuzzer with the command line's options and
/// corpus folders; never returns.
public func runFuzzer() -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
}
