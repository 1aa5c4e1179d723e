// swift-tools-version:6.1
// libFuzzer targets for the code that parses what clients and upstreams send. Not part of
// scripts/test or CI: `fuzz/run [seconds-per-target]` builds them with the fuzzer and address
// sanitizer and runs each for a bounded time. One executable per target: its `main.swift` hands
// the target's test function to libFuzzer's driver (SwiftPM renames an executable's entry point,
// so libFuzzer's own `main` cannot be the one linked).
import PackageDescription

let targets = [
    "FuzzProxyPath", "FuzzProxyHeaders", "FuzzDialectRequests", "FuzzWebAPIXML", "FuzzWireValues",
    "FuzzBearerTokens", "FuzzUpstreamHeaders", "FuzzLegacyAnswers",
]

/// SwiftPM names a path dependency after its folder (`main`, `wt-fuzz`, a CI clone's), so the
/// repository's package is referred to by that name.
let gatehouse = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "gatehouse").lowercased()

let package = Package(
    name: "gatehouse-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzDriver", .product(name: "GatehouseParsing", package: gatehouse)],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: "GatehouseParsing", package: gatehouse),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    }
)
