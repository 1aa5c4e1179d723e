import GatehouseCore
import Logging
import Upstream

/// Authenticates against a legacy system's own sign-in endpoint, in that system's dialect, whatever dialect
/// the caller used. The upstream refusing is a wrong password; the upstream down, slow, answering garbage or
/// answering more than `UpstreamClient.defaultMaxBodyBytes` is `upstreamUnavailable` — never reported as a wrong password.
public struct UpstreamAuthenticator: Authenticator {
    public let name: String
    let settings: UpstreamAuthenticatorSettings
    let client: UpstreamClient
    let legacy: any LegacySignIn
    let logger: Logger

    public init(settings: UpstreamAuthenticatorSettings, client: UpstreamClient, logger: Logger = Logger(label: "gatehouse.upstream")) {
        self.name = settings.name
        self.settings = settings
        self.client = client
        self.logger = logger
        self.legacy = switch settings.dialect {
        case .aspnet: AspNetLegacySignIn()
        case .sso: SSOLegacySignIn()
        case .webapi: WebAPILegacySignIn()
        case .baas: BaaSLegacySignIn(apiKey: settings.apiKey)
        case .servicestack: ServiceStackLegacySignIn()
        }
    }

    /// Best effort: a failed upstream sign-out is logged; the grant is revoked at the front door regardless.
    public func signOut(upstreamArtifacts: [String: String]) async {
        guard var request = legacy.signOutRequest(upstreamArtifacts: upstreamArtifacts, signInURL: settings.url) else { return }
        applySettings(to: &request)
        do {
            let response = try await client.send(request)
            if !(200..<300).contains(response.status) {
                logger.warning("upstream sign-out refused", metadata: ["upstream": "\(name)", "status": "\(response.status)"])
            }
        } catch {
            logger.warning("upstream sign-out failed", metadata: ["upstream": "\(name)", "error": "\(error)"])
        }
    }

    public func authenticate(_ request: SignInRequest) async throws -> Identity? {
        try await authenticateKeepingArtifacts(request)?.identity
    }

    public func authenticateKeepingArtifacts(_ request: SignInRequest) async throws -> Authenticated? {
        guard var outgoing = legacy.request(for: request, url: settings.url) else { return nil }
        applySettings(to: &outgoing)
        let response: UpstreamResponse
        do {
            response = try await client.send(outgoing)
        } catch is CancellationError {
            throw CancellationError()
        } catch UpstreamError.responseTooLarge {
            // An answer, but not one any sign-in dialect gives: like garbage, an outage.
            logger.warning("upstream answer too large", metadata: ["upstream": "\(name)"])
            throw AuthFailure.upstreamUnavailable(upstream: name)
        } catch {
            logger.warning("upstream unreachable", metadata: ["upstream": "\(name)", "error": "\(error)"])
            throw AuthFailure.upstreamUnavailable(upstream: name)
        }
        do {
            let identity = try legacy.identity(from: response, authenticator: name)
            return Authenticated(identity: identity, upstreamArtifacts: legacy.artifacts(from: response, for: request))
        } catch let failure as AuthFailure {
            throw failure
        } catch {
            logger.warning("upstream answered outside its dialect", metadata: ["upstream": "\(name)", "status": "\(response.status)"])
            throw AuthFailure.upstreamUnavailable(upstream: name)
        }
    }

    /// This upstream's timeouts and TLS settings on a request to it.
    private func applySettings(to request: inout UpstreamRequest) {
        request.timeoutSeconds = Double(settings.timeoutSeconds)
        request.connectTimeoutSeconds = Double(settings.connectTimeoutSeconds)
        request.tls = UpstreamTLS(caFile: settings.caFile, clientCertificate: settings.clientCertificate, clientKey: settings.clientKey)
    }
}
