import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL
import TelltaleCore

/// Runs HTTP(S) checks on two shared clients (one follows redirects, one does not).
/// Bodies are read up to ``maxBodyBytes``; a larger one fails the check instead of filling memory.
public final class HTTPChecker: Sendable {
    /// The most of a body a check reads.
    public static let maxBodyBytes = 1 << 20
    let following: HTTPClient
    let direct: HTTPClient
    let certificates: CertificateProbe
    let now: @Sendable () -> Date

    /// `tls` is how servers are verified (the system's roots by default; tests add their own).
    public init(tls: TLSConfiguration = .makeClientConfiguration(), now: @escaping @Sendable () -> Date = Date.init) {
        func client(_ redirects: HTTPClient.Configuration.RedirectConfiguration) -> HTTPClient {
            var configuration = HTTPClient.Configuration(redirectConfiguration: redirects, decompression: .disabled)
            configuration.connectionPool = .init(idleTimeout: .seconds(30))
            // A refused connection is the check's answer, not something to retry until the timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            // Many monitors may watch one host; each check needs its own connection.
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
            configuration.httpVersion = .http1Only
            configuration.tlsConfiguration = tls
            return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
        following = client(.follow(max: 10, allowCycles: false))
        direct = client(.disallow)
        certificates = CertificateProbe(tls: tls, group: HTTPClient.defaultEventLoopGroup)
        self.now = now
    }

    /// Closes the clients' connections.
    public func shutdown() async {
        try? await following.shutdown()
        try? await direct.shutdown()
    }

    func check(_ target: HTTPTarget, timeout: Duration) async -> CheckOutcome {
        var request = HTTPClientRequest(url: target.url)
        request.method = HTTPMethod(rawValue: target.method)
        request.headers.add(name: "User-Agent", value: "Telltale-Monitor/1")
        for (name, value) in target.headers.sorted(by: { $0.key < $1.key }) { request.headers.replaceOrAdd(name: name, value: value) }
        if let body = target.body { request.body = .bytes(ByteBuffer(string: body)) }
        let client = target.followRedirects ? following : direct
        let start = ContinuousClock.now
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, deadline: deadline)
            var body = ByteBuffer()
            for try await chunk in response.body {
                guard body.readableBytes + chunk.readableBytes <= Self.maxBodyBytes else {
                    return .down("response body is larger than \(Self.maxBodyBytes / 1024) KB", after: milliseconds(since: start), status: Int(response.status.code))
                }
                var chunk = chunk
                body.writeBuffer(&chunk)
            }
            let elapsed = milliseconds(since: start)
            let outcome = HTTPAssertions.evaluate(target, status: Int(response.status.code), body: Array(body.readableBytesView), milliseconds: elapsed)
            return await withCertificate(outcome, target, timeout: deadline - NIODeadline.now())
        } catch {
            return .down(Self.describe(error, timeout: timeout, url: target.url), after: nil)
        }
    }

    /// Adds the certificate's expiry to a passing HTTPS check: close to it is `degraded`.
    func withCertificate(_ outcome: CheckOutcome, _ target: HTTPTarget, timeout: TimeAmount) async -> CheckOutcome {
        guard outcome.verdict != .down, let url = URLComponents(string: target.url), url.scheme?.lowercased() == "https", let host = url.host else {
            return outcome
        }
        let notValidAfter: Date
        do {
            notValidAfter = try await certificates.notValidAfter(host: host, port: url.port ?? 443, timeout: max(timeout, .seconds(1)), now: now())
        } catch {
            // The request itself got through TLS; a second handshake failing says nothing new.
            return outcome
        }
        guard let (verdict, message) = target.certificateVerdict(notValidAfter: notValidAfter, now: now()) else { return outcome }
        var changed = outcome
        if verdict == .down || outcome.verdict == .up { changed.verdict = verdict }
        changed.message = outcome.verdict == .degraded ? "\(outcome.message); \(message)" : message
        return changed
    }

    /// A failure in words an operator acts on; never the request's headers or body.
    static func describe(_ error: any Error, timeout: Duration, url: String) -> String {
        let text = String(describing: error)
        let host = URLComponents(string: url).map { "\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")" } ?? url
        if text.contains("Connection refused") { return "connection refused by \(host)" }
        if text.contains("Connection reset by peer") { return "connection reset by \(host)" }
        if text.contains("No route to host") { return "no route to \(host)" }
        if text.contains("Name or service not known") || text.contains("nodename nor servname") { return "could not resolve \(host)" }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out after \(timeout.components.seconds) s"
            case .redirectLimitReached: return "too many redirects (more than 10)"
            case .redirectCycleDetected: return "redirect loop detected"
            case .remoteConnectionClosed: return "the server closed the connection before answering"
            default: return "HTTP error: \(error)"
            }
        }
        if let error = error as? ChannelError, [.ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed].contains(error) {
            // A server going away mid-request: the connection closed under the client.
            return "connection closed by \(host) before it answered"
        }
        if error is NIOSSLError || String(describing: type(of: error)).contains("SSL") {
            return "TLS failed: \(error)"
        }
        if let error = error as? NIOConnectionError {
            return "could not connect to \(error.host):\(error.port)\(error.connectionErrors.first.map { ": \($0.error)" } ?? "")"
        }
        return "request failed: \(error)"
    }
}

/// The assertions of an HTTP check, pure so they are tested without a server.
enum HTTPAssertions {
    static func evaluate(_ target: HTTPTarget, status: Int, body: [UInt8], milliseconds: Double) -> CheckOutcome {
        guard target.expectedStatus.contains(where: { $0.range.contains(status) }) else {
            return .down("status \(status), expected \(target.expectedStatus.map(\.description).joined(separator: ", "))", after: milliseconds, status: status)
        }
        if let keyword = target.keyword {
            let found = String(decoding: body, as: UTF8.self).contains(keyword)
            if target.keywordAbsent, found { return .down("body contains the keyword that must be absent", after: milliseconds, status: status) }
            if !target.keywordAbsent, !found { return .down("body does not contain the keyword", after: milliseconds, status: status) }
        }
        if let path = target.jsonPath, let parsed = try? JSONPath(path) {
            guard let value = parsed.value(in: body) else {
                return .down("JSON path \(path) not found in the body", after: milliseconds, status: status)
            }
            if let expected = target.jsonExpected, value != expected {
                return .down("JSON path \(path) is '\(value.prefix(100))', expected '\(expected.prefix(100))'", after: milliseconds, status: status)
            }
        }
        if let limit = target.degradedAboveMilliseconds, milliseconds > Double(limit) {
            return CheckOutcome(verdict: .degraded, responseMilliseconds: milliseconds, statusCode: status,
                                message: "slow: \(Int(milliseconds)) ms, above \(limit) ms")
        }
        return CheckOutcome(verdict: .up, responseMilliseconds: milliseconds, statusCode: status, message: "status \(status) in \(Int(milliseconds.rounded())) ms")
    }
}
