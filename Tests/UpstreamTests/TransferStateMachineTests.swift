import Testing

@testable import Upstream

/// The rules deciding who resumes a caller, exercised with a plain `String` standing in for the continuation.
@Suite struct TransferStateMachineTests {
    @Test func startedTransferIsEnqueuedAndFinishedOnce() {
        var machine = TransferStateMachine<String>()
        #expect(machine.start("caller") == .enqueue)
        #expect(machine.finish() == "caller")
        #expect(machine.finish() == nil)
    }

    @Test func cancellationWhileWaitingHandsBackTheContinuationAndSuppressesCompletion() {
        var machine = TransferStateMachine<String>()
        _ = machine.start("caller")
        guard case .resumeAndRemove(let continuation) = machine.cancel() else {
            Issue.record("expected resumeAndRemove")
            return
        }
        #expect(continuation == "caller")
        #expect(machine.finish() == nil)
    }

    @Test func cancellationBeforeStartFailsTheStart() {
        var machine = TransferStateMachine<String>()
        guard case .none = machine.cancel() else {
            Issue.record("expected none")
            return
        }
        #expect(machine.start("caller") == .failCancelled)
        #expect(machine.finish() == nil)
    }

    @Test func cancellationAfterFinishDoesNothing() {
        var machine = TransferStateMachine<String>()
        _ = machine.start("caller")
        _ = machine.finish()
        guard case .none = machine.cancel() else {
            Issue.record("expected none")
            return
        }
    }
}
