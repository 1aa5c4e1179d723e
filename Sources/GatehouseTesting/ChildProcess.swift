import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Children the tests start (pg_ctl, nginx, Caddy): posix_spawn and waitpid, not Foundation's `Process`,
/// whose `waitUntilExit` blocks a thread of the cooperative pool and which was seen to leave children
/// unreaped (`pg_ctl start` leaving a daemon; several nginx at once), stalling the test process.
public enum ChildProcess {
    public struct SpawnFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable` with standard input from /dev/null and standard output and error into the
    /// file at `output` (not a pipe a daemon could hold open). `environment` nil: this process's.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: String
    ) throws(SpawnFailure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw SpawnFailure(description: "cannot run \(executable): \(String(cString: strerror(spawned)))") }
        return pid
    }
}
