/// The life of one `send`: decides who resumes its continuation, and that it happens exactly once.
///
/// Three parties race: the caller starting the transfer, the task-cancellation handler and the
/// curl thread reporting completion. Each event returns the action to take, so the rules are
/// testable without libcurl. Generic over the continuation so tests can use a plain value.
struct TransferStateMachine<Continuation> {
    private enum State {
        case idle
        case waiting(Continuation)
        case cancelled
        case finished
    }

    /// What the caller must do after `start`.
    enum StartAction {
        /// Hand the transfer to the curl thread.
        case enqueue
        /// The task was cancelled before the transfer started: fail with `CancellationError`.
        case failCancelled
    }

    /// What the cancellation handler must do after `cancel`.
    enum CancelAction {
        /// Nothing: not started yet (start will fail it) or already finished.
        case none
        /// Resume this continuation with `CancellationError` and remove the transfer from curl.
        case resumeAndRemove(Continuation)
    }

    private var state: State = .idle

    /// The caller hands over its continuation.
    mutating func start(_ continuation: Continuation) -> StartAction {
        switch state {
        case .idle:
            state = .waiting(continuation)
            return .enqueue
        case .cancelled:
            return .failCancelled
        case .waiting, .finished:
            preconditionFailure("a transfer is started once")
        }
    }

    /// The calling task was cancelled.
    mutating func cancel() -> CancelAction {
        switch state {
        case .idle:
            state = .cancelled
            return .none
        case .waiting(let continuation):
            state = .cancelled
            return .resumeAndRemove(continuation)
        case .cancelled, .finished:
            return .none
        }
    }

    /// The transfer ended (completed, failed or shut down); returns the continuation to resume,
    /// or nil when cancellation already resumed it.
    mutating func finish() -> Continuation? {
        guard case .waiting(let continuation) = state else { return nil }
        state = .finished
        return continuation
    }
}
