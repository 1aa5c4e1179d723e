import Foundation
import GatehouseTesting
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx (`auth_request`) or Caddy (`forward_auth`) on 127.0.0.1, in front of an upstream and
/// asking a Gatehouse whether each request may through: the configurations the README gives
/// operators, with the ports filled in. Each runs in a directory of its own, removed on `stop()`.
final class FrontProxy: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case nginx, caddy
    }

    let kind: Kind
    let port: Int
    private let pid: pid_t
    private let directory: URL
    /// Set once the child has been reaped.
    private let reaped = Mutex(false)

    private init(kind: Kind, port: Int, pid: pid_t, directory: URL) {
        self.kind = kind
        self.port = port
        self.pid = pid
        self.directory = directory
    }

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    /// Starts `kind` on a free port, in front of 127.0.0.1:`upstream`, asking 127.0.0.1:`gatehouse`; sign-in
    /// paths (`/1/`, `/auth/`, `/api/`) go to Gatehouse itself. Waits until it accepts connections.
    static func start(_ kind: Kind, upstream: Int, gatehouse: Int) async throws -> FrontProxy {
        let port = try LoopbackPort.free()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-front-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let executable: String
        let arguments: [String]
        var environment = ProcessInfo.processInfo.environment
        switch kind {
        case .nginx:
            let config = nginxConfiguration(port: port, upstream: upstream, gatehouse: gatehouse, directory: directory.path)
            try config.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            executable = "/usr/sbin/nginx"
            arguments = ["-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path, "-e", directory.appendingPathComponent("error.log").path]
        case .caddy:
            let config = caddyConfiguration(port: port, upstream: upstream, gatehouse: gatehouse)
            try config.write(to: directory.appendingPathComponent("Caddyfile"), atomically: true, encoding: .utf8)
            executable = "/usr/bin/caddy"
            arguments = ["run", "--config", directory.appendingPathComponent("Caddyfile").path, "--adapter", "caddyfile"]
            environment["HOME"] = directory.path
            environment["XDG_DATA_HOME"] = directory.path
            environment["XDG_CONFIG_HOME"] = directory.path
        }
        let log = directory.appendingPathComponent("output.log").path
        let pid = try ChildProcess.spawn(executable, arguments, environment: environment, output: log)
        let front = FrontProxy(kind: kind, port: port, pid: pid, directory: directory)
        for _ in 0..<400 {
            if Self.accepts(port: port) { return front }
            guard front.isRunning else { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        await front.stop()
        throw StartFailure(description: "\(kind) did not listen on \(port): \(output) \(errors)")
    }

    /// Whether the child still runs (reaping it once it has ended).
    private var isRunning: Bool {
        reaped.withLock { reaped in
            if reaped { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || result < 0 { reaped = true }
            return !reaped
        }
    }

    /// SIGTERM, then SIGKILL after 5 s; waits without blocking a thread.
    func stop() async {
        if isRunning {
            kill(pid, SIGTERM)
            for _ in 0..<200 where isRunning { try? await Task.sleep(for: .milliseconds(25)) }
            if isRunning {
                kill(pid, SIGKILL)
                for _ in 0..<200 where isRunning { try? await Task.sleep(for: .milliseconds(25)) }
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The client of this front proxy.
    var client: GatewayClient { GatewayClient(port: port) }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// README's nginx example: `auth_request` to `/authz/auth-request`, the identity copied from its
    /// answer, a 401 carrying `Location` turned into the browser's redirect.
    static func nginxConfiguration(port: Int, upstream: Int, gatehouse: Int, directory: String) -> String {
        """
        daemon off;
        worker_processes 1;
        pid \(directory)/nginx.pid;
        events { worker_connections 512; }
        http {
            access_log off;
            client_body_temp_path \(directory)/body;
            proxy_temp_path \(directory)/proxy;
            fastcgi_temp_path \(directory)/fastcgi;
            uwsgi_temp_path \(directory)/uwsgi;
            scgi_temp_path \(directory)/scgi;
            upstream gatehouse { server 127.0.0.1:\(gatehouse); keepalive 16; }
            upstream app { server 127.0.0.1:\(upstream); keepalive 16; }
            server {
                listen 127.0.0.1:\(port);
                absolute_redirect off;
                proxy_http_version 1.1;
                proxy_set_header Connection "";

                location = /_gatehouse_auth {
                    internal;
                    proxy_pass http://gatehouse/authz/auth-request;
                    proxy_pass_request_body off;
                    proxy_set_header Connection "";
                    proxy_set_header Content-Length "";
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Original-Method $request_method;
                    proxy_set_header X-Original-URI $request_uri;
                    proxy_set_header X-Forwarded-Proto $scheme;
                }
                location @gatehouse_sign_in {
                    if ($gatehouse_location) { return 302 $gatehouse_location; }
                    return 401;
                }
                location ~ ^/(1|auth|api)/ {
                    proxy_pass http://gatehouse;
                    proxy_set_header Connection "";
                    proxy_set_header Host $http_host;
                }
                location / {
                    auth_request /_gatehouse_auth;
                    auth_request_set $gatehouse_user $upstream_http_x_auth_user;
                    auth_request_set $gatehouse_email $upstream_http_x_auth_email;
                    auth_request_set $gatehouse_roles $upstream_http_x_auth_roles;
                    auth_request_set $gatehouse_location $upstream_http_location;
                    error_page 401 = @gatehouse_sign_in;
                    proxy_set_header X-Auth-User $gatehouse_user;
                    proxy_set_header X-Auth-Email $gatehouse_email;
                    proxy_set_header X-Auth-Roles $gatehouse_roles;
                    proxy_set_header Host $http_host;
                    proxy_set_header Connection "";
                    proxy_pass http://app;
                }
            }
        }
        """
    }

    /// README's Caddy example: `forward_auth` to `/authz/forward-auth`, the identity headers copied.
    static func caddyConfiguration(port: Int, upstream: Int, gatehouse: Int) -> String {
        """
        {
            admin off
            auto_https off
        }
        http://127.0.0.1:\(port) {
            @signin path /1/* /auth/* /api/*
            handle @signin {
                reverse_proxy 127.0.0.1:\(gatehouse)
            }
            handle {
                forward_auth 127.0.0.1:\(gatehouse) {
                    uri /authz/forward-auth
                    copy_headers X-Auth-User X-Auth-Email X-Auth-Roles
                }
                reverse_proxy 127.0.0.1:\(upstream)
            }
        }
        """
    }
}
