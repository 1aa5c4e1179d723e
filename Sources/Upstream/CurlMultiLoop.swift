import CCurl
import Foundation
import Synchronization

/// One libcurl multi handle driven by a thread of its own.
///
/// Blocking in `curl_multi_poll` must never happen on an event loop or the cooperative pool,
/// so the loop owns a dedicated `Thread`. Other threads talk to it only through `inbox`
/// (a Mutex) followed by `curl_multi_wakeup`, the one multi call libcurl documents as safe to
/// make from another thread. Because every transfer goes through this one multi handle, they
/// share its connection cache: keep-alive connections are reused across requests.
final class CurlMultiLoop: Sendable {
    private struct Inbox {
        var additions: [CurlTransfer] = []
        var removals: [CurlTransfer] = []
        var unpauses: [CurlTransfer] = []
        var isShuttingDown = false
        /// Set by the curl thread just before `curl_multi_cleanup`; no wakeup after that.
        var isClosed = false
        /// The curl thread is (about to be) asleep in `curl_multi_poll`: news needs a wakeup.
        var isPolling = false
        /// A wakeup was sent during this poll; more would only cost system calls.
        var isWakeupSent = false

        var hasNews: Bool { !additions.isEmpty || !removals.isEmpty || !unpauses.isEmpty || isShuttingDown }

        /// Wakes the curl thread if it sleeps in poll and nobody has yet. A busy thread finds the
        /// news before it next polls (`pollIfNothingNew`), so it needs no wakeup: under load
        /// that saves a send and a receive on libcurl's wakeup socket for most requests.
        mutating func wake(_ multi: UnsafeMutableRawPointer) {
            guard isPolling, !isWakeupSent else { return }
            isWakeupSent = true
            _ = curl_multi_wakeup(multi)
        }
    }

    private let inbox = Mutex(Inbox())
    // Only `curl_multi_wakeup` (thread-safe by libcurl's contract) uses this off the curl
    // thread, and only under `inbox` while `isClosed` is false, so it never sees a freed handle.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer?

    /// Creates the multi handle and starts its thread.
    init(maxConnectionsPerHost: Int) {
        CurlGlobal.initialize()
        let multi = curl_multi_init()
        if let multi {
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
            // Keep every connection the per-host limit allows in the cache: libcurl's default cache size
            // follows the number of transfers added, and closes connections when a burst drains.
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnectionsPerHost * 8)
        }
        self.multi = multi
        let thread = Thread { [self] in
            // Named from inside: on Linux, Foundation applies a name set before `start` to nothing, and
            // the thread would show in `top -H` and perf under the name of the thread that made it.
            Thread.current.name = "gatehouse-curl"
            self.run()
        }
        thread.start()
    }

    /// Queues a configured transfer; false when the loop is shut down (the transfer was not queued).
    func enqueue(_ transfer: CurlTransfer) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.isShuttingDown, !inbox.isClosed, let multi else { return false }
            inbox.additions.append(transfer)
            inbox.wake(multi)
            return true
        }
    }

    /// Asks the curl thread to let a paused `transfer` go on (its reader or writer caught up).
    func unpause(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            guard !inbox.isClosed, let multi else { return }
            inbox.unpauses.append(transfer)
            inbox.wake(multi)
        }
    }

    /// Asks the curl thread to abandon `transfer` (its caller has already been resumed); a no-op
    /// for a transfer that has ended.
    func remove(_ transfer: CurlTransfer) {
        inbox.withLock { inbox in
            guard !inbox.isClosed, let multi else { return }
            inbox.removals.append(transfer)
            inbox.wake(multi)
        }
    }

    /// Stops the thread; queued and running transfers fail with `UpstreamError.shutDown`.
    func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.isShuttingDown else { return }
            inbox.isShuttingDown = true
            if !inbox.isClosed, let multi { inbox.wake(multi) }
        }
    }

    // MARK: The curl thread

    private func run() {
        guard let multi else {
            failEverything(active: [:])
            return
        }
        // Confined to this thread: the transfers the multi handle currently holds, by easy handle,
        // and easy handles reset for reuse (they keep their buffers, so a transfer allocates less).
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [UnsafeMutableRawPointer] = []
        let callers = WaitingCallers()
        while true {
            let (additions, removals, unpauses, isShuttingDown) = inbox.withLock { inbox in
                defer { inbox.additions = []; inbox.removals = []; inbox.unpauses = [] }
                return (inbox.additions, inbox.removals, inbox.unpauses, inbox.isShuttingDown)
            }
            // Additions first: a removal may name a transfer queued in the same batch.
            for transfer in additions {
                start(transfer, multi: multi, callers: callers, active: &active, idle: &idle)
            }
            for transfer in removals {
                // A transfer that already ended has given its handle back (which may now serve another).
                guard let easy = transfer.easy, active[easy] === transfer else { continue }
                active[easy] = nil
                _ = curl_multi_remove_handle(multi, easy)
                recycle(transfer, idle: &idle)
                transfer.fail(CancellationError())
            }
            // May call the transfer's callbacks right away, on this thread, as libcurl allows.
            for transfer in unpauses {
                if let easy = transfer.easy, active[easy] === transfer { _ = ccurl_easy_unpause(easy) }
            }
            if isShuttingDown { break }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished(multi: multi, active: &active, idle: &idle)
            for transfer in active.values { transfer.deliverHeldHead() }
            callers.resumeAll()
            pollIfNothingNew(multi)
        }
        callers.resumeAll()
        for (easy, transfer) in active {
            _ = curl_multi_remove_handle(multi, easy)
            recycle(transfer, idle: &idle)
        }
        failEverything(active: active)
        _ = curl_multi_cleanup(multi)
        for easy in idle { curl_easy_cleanup(easy) }
    }

    /// Easy handles kept for reuse, at most: enough for the transfers a busy thread has in flight,
    /// few enough that a burst does not leave megabytes of idle handles (each keeps its 64 KiB buffer).
    private static let maxIdleHandles = 64

    /// Gives `transfer` an easy handle, configures it and hands it to the multi handle.
    private func start(
        _ transfer: CurlTransfer, multi: UnsafeMutableRawPointer, callers: WaitingCallers,
        active: inout [UnsafeMutableRawPointer: CurlTransfer], idle: inout [UnsafeMutableRawPointer]
    ) {
        guard let easy = idle.popLast() ?? curl_easy_init() else {
            transfer.fail(UpstreamError.transport("curl_easy_init failed"))
            return
        }
        do {
            try transfer.attach(to: easy, callers: callers)
        } catch {
            recycle(transfer, idle: &idle)
            transfer.fail(error)
            return
        }
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            recycle(transfer, idle: &idle)
            transfer.fail(UpstreamError.transport("curl_multi_add_handle failed"))
            return
        }
        active[easy] = transfer
    }

    /// Takes back the easy handle of a transfer the multi handle no longer holds.
    private func recycle(_ transfer: CurlTransfer, idle: inout [UnsafeMutableRawPointer]) {
        guard let easy = transfer.detach() else { return }
        if idle.count < Self.maxIdleHandles {
            curl_easy_reset(easy)
            idle.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    /// Sleeps until a socket is ready, curl's next timeout, or a wakeup from another thread — unless
    /// news arrived while the thread was busy, which it then handles at once.
    private func pollIfNothingNew(_ multi: UnsafeMutableRawPointer) {
        let shouldPoll = inbox.withLock { inbox in
            guard !inbox.hasNews else { return false }
            inbox.isPolling = true
            return true
        }
        guard shouldPoll else { return }
        _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        inbox.withLock { inbox in
            inbox.isPolling = false
            inbox.isWakeupSent = false
        }
    }

    private func collectFinished(
        multi: UnsafeMutableRawPointer, active: inout [UnsafeMutableRawPointer: CurlTransfer], idle: inout [UnsafeMutableRawPointer]
    ) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            // Read everything from the message now: removing the handle invalidates it.
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: easy) else { continue }
            _ = curl_multi_remove_handle(multi, easy)
            transfer.complete(code)
            recycle(transfer, idle: &idle)
        }
    }

    /// Marks the loop closed and fails whatever is still running or queued.
    private func failEverything(active: [UnsafeMutableRawPointer: CurlTransfer]) {
        let queued = inbox.withLock { inbox in
            inbox.isShuttingDown = true
            inbox.isClosed = true
            defer { inbox.additions = []; inbox.removals = []; inbox.unpauses = [] }
            return inbox.additions
        }
        for transfer in Array(active.values) + queued {
            transfer.fail(UpstreamError.shutDown)
        }
    }
}
