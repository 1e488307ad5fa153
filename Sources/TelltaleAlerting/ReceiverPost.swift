public import AsyncHTTPClient
public import Foundation
public import NIOCore
import NIOHTTP1

/// One POST to an outside receiver, as notification delivery and forwarding send them: a
/// delivery id that stays the same across attempts, a deadline, and at most 64 KB of the
/// answer read (for the error), so a receiver answering 1 GB is cut off.
public enum ReceiverPost {
    /// A client for receivers: follows up to 3 redirects, never decompresses, fails fast on a refused connection.
    public static func makeClient(eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .follow(max: 3, allowCycles: false), decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }

    /// The answer's status (nil when none came), an error in words (never the URL, which may
    /// carry a token) and `Retry-After` in seconds.
    public static func send(_ client: HTTPClient, url: String, headers: [(String, String)], body: [UInt8], userAgent: String, delivery: String,
                            timeout: TimeAmount) async -> (status: Int?, error: String?, retryAfter: TimeInterval?) {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "User-Agent", value: userAgent)
            // The same for every attempt: a receiver that dedupes by it sees each delivery once,
            // even when a node died after sending and before recording.
            request.headers.add(name: "X-Telltale-Delivery", value: delivery)
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, deadline: .now() + timeout)
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            var answer = ByteBuffer()
            for try await chunk in response.body {
                guard answer.readableBytes < 65_536 else { break }
                var chunk = chunk
                answer.writeBuffer(&chunk)
            }
            return (status, (200..<300).contains(status) ? nil : String(buffer: answer).prefix(300).description, retryAfter)
        } catch {
            return (nil, NotificationDelivery.describe(error), nil)
        }
    }
}
