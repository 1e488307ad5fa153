import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import TelltaleCore

/// Server-Sent Events for live pages: the stream sleeps until a change the page shows is
/// committed (on any node), then runs one round (read what changed, render it) and sends
/// it. A comment line every ``keepalive`` keeps proxies from closing an idle stream, and
/// the same round runs then, which also catches a change whose signal was lost.
enum LiveStream {
    static let keepalive: Duration = .seconds(15)
    /// Rounds are at least this far apart, so a burst of commits costs a page a few reads a
    /// second rather than one per commit.
    static let minimumGap: Duration = .milliseconds(150)
    /// A stream ends after a while; the browser's EventSource reconnects by itself, which
    /// re-checks the session.
    static let lifetime: Duration = .seconds(300)

    /// Writes the stream into a `text/event-stream` body: `round` first at once, then after
    /// each wake, until the stream's lifetime ends, the client goes or the server shuts down.
    /// `round` returns the events to send, or an empty string for none.
    static func pump(_ writer: inout any ResponseBodyWriter, retryMilliseconds: Int = 3000, wakes changes: AsyncStream<Void>,
                     round: () async throws -> String) async throws {
        try await writer.write(ByteBuffer(string: "retry: \(retryMilliseconds)\n: live\n\n"))
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake.yield()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await _ in changes { wake.yield() }
            }
            group.addTask {
                let clock = ContinuousClock()
                let ends = clock.now.advanced(by: lifetime)
                while clock.now < ends {
                    // Cancelled when the stream ends some other way.
                    guard (try? await Task.sleep(for: min(keepalive, clock.now.duration(to: ends)))) != nil else { return }
                    wake.yield()
                }
                wake.finish()
            }
            try await withGracefulShutdownHandler {
                let clock = ContinuousClock()
                for await _ in wakes {
                    let started = clock.now
                    let events = try await round()
                    try await writer.write(ByteBuffer(string: events.isEmpty ? ": ping\n\n" : events))
                    try await Task.sleep(until: started.advanced(by: minimumGap))
                }
            } onGracefulShutdown: {
                wake.finish()
            }
            group.cancelAll()
        }
        try await writer.finish(nil)
    }
}
