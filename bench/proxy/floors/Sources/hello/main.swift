import Hummingbird

// `hello PORT`: answers every GET with the upstream's own 6-byte body, as plainly as Hummingbird allows.
let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let router = Router()
router.get("/") { _, _ in "hello\n" }
router.get("**") { _, _ in "hello\n" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
