import ServiceLifecycle
import Stores

/// Closes the state store once the server has stopped: the SQLite file is closed cleanly, and the
/// PostgreSQL pool's connections end.
struct StoreCloser: Service {
    let state: StateStore?

    func run() async throws {
        try? await gracefulShutdown()
        await state?.close()
    }
}
