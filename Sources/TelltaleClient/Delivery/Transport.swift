import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the server answered an envelope with, as far as sending cares.
public struct TransportResponse: Sendable, Hashable {
    public var status: Int
    public var retryAfter: String?
    public var rateLimits: String?

    public init(status: Int, retryAfter: String? = nil, rateLimits: String? = nil) {
        self.status = status
        self.retryAfter = retryAfter
        self.rateLimits = rateLimits
    }
}

/// Sends one envelope; throws when it never got an answer (no connection, timeout).
public protocol EnvelopeTransport: Sendable {
    func send(_ envelope: [UInt8], to url: String, auth: String) async throws -> TransportResponse
}

/// The HTTP transport: AsyncHTTPClient's shared client, ten seconds per envelope.
public struct HTTPTransport: EnvelopeTransport {
    let client: HTTPClient
    let timeout: TimeAmount

    public init(timeoutSeconds: Int64 = 10) {
        client = HTTPClient.shared
        timeout = .seconds(timeoutSeconds)
    }

    public func send(_ envelope: [UInt8], to url: String, auth: String) async throws -> TransportResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-sentry-envelope")
        request.headers.add(name: "X-Sentry-Auth", value: auth)
        request.body = .bytes(ByteBuffer(bytes: envelope))
        let response = try await client.execute(request, timeout: timeout)
        // The body is not needed, but reading it frees the connection for the next envelope.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return TransportResponse(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                                 rateLimits: response.headers.first(name: "X-Sentry-Rate-Limits"))
    }
}
