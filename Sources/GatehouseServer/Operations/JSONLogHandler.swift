import Foundation
import GatehouseCore
import Logging
import Synchronization

/// Where finished log lines go: standard output for `gatehouse serve`, a buffer in tests.
public struct LogSink: Sendable {
    let write: @Sendable ([UInt8]) -> Void

    public init(_ write: @escaping @Sendable ([UInt8]) -> Void) { self.write = write }

    /// One `write(2)` per line, so lines of concurrent requests never interleave (a pipe or terminal
    /// takes a write of up to PIPE_BUF bytes whole).
    public static let standardOutput = LogSink { line in
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(STDOUT_FILENO, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// One JSON object per line: `time`, `level`, `logger`, `message`, then the line's metadata.
///
/// swift-log ships no JSON handler; this one is the few lines a log shipper (Loki, Fluent Bit,
/// CloudWatch) needs. Numbers and booleans logged as `.stringConvertible` stay JSON numbers and
/// booleans, so `status` and `duration_ms` can be queried as such.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: LogSink

    public init(label: String, sink: LogSink = .standardOutput, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var members: [(String, JSONValue)] = [
            ("time", .string(LogTime.now())),
            ("level", .string(event.level.rawValue)),
            ("logger", .string(label)),
            ("message", .string(event.message.description)),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            if let value = merged[key] { members.append((key, Self.json(value))) }
        }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        JSONValue.object(members).write(into: &line)
        line.append(0x0A)
        sink.write(line)
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let item):
            switch item {
            case let number as Int: return .int(number)
            case let number as Double: return .double(number)
            case let flag as Bool: return .bool(flag)
            default: return .string(item.description)
            }
        case .array(let items): return .array(items.map(json))
        case .dictionary(let members): return .object(members.keys.sorted().compactMap { key in members[key].map { (key, json($0)) } })
        }
    }
}

/// RFC 3339 UTC times with milliseconds, `2026-12-02T19:30:05.123Z`.
enum LogTime {
    static func now() -> String {
        // Not clock_gettime: `timespec` is not visible in a --static-swift-stdlib build.
        let since1970 = Date().timeIntervalSince1970
        let whole = since1970.rounded(.down)
        var seconds = time_t(whole)
        let milliseconds = min(Int32((since1970 - whole) * 1000), 999)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(milliseconds, 3))Z"
    }
}

/// How `gatehouse serve` writes its lines.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (the default: what log shippers parse).
    case json
    /// swift-log's plain lines, for people at a terminal.
    case text

    /// Installs the format process-wide, every line on standard output at `level` and above.
    public func bootstrap(level: Logger.Level) {
        switch self {
        case .json:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = JSONLogHandler(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: RequestLogContext.metadataProvider)
        case .text:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: RequestLogContext.metadataProvider)
        }
    }
}
