// swift-tools-version:6.0
// The floors bench/proxy compares Gatehouse with, built without any Gatehouse code:
// - hello: Hummingbird answering a fixed body (the web framework DESIGN.md names);
// - nio-hello: SwiftNIO's HTTP/1 server answering the same body (what Hummingbird is built on);
// - nio-proxy: a reverse proxy of nothing but SwiftNIO's HTTP/1 server and client codecs, one kept-alive
//   upstream connection per client connection on its event loop (the least Gatehouse's data path costs);
// - curl-floor: libcurl's multi interface fetching from the upstream over keep-alive connections,
//   in C, with nothing around it (the least an upstream leg through libcurl costs).
import PackageDescription

/// What the SwiftNIO floors are built of: NIO's event loops and its HTTP/1 codecs, nothing else.
let nioHTTP1: [Target.Dependency] = ["NIOCore", "NIOPosix", "NIOHTTP1"].map { .product(name: $0, package: "swift-nio") }

let package = Package(
    name: "floors",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
    ],
    targets: [
        .executableTarget(
            name: "hello",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "nio-hello",
            dependencies: nioHTTP1,
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "nio-proxy",
            dependencies: nioHTTP1,
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "curl-floor",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("curl")]
        ),
    ]
)
