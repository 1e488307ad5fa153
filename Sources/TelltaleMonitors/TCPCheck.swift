import NIOCore
import NIOPosix
import TelltaleCore

/// A TCP connect check: the port accepts a connection within the timeout.
enum TCPCheck {
    static func check(_ target: TCPTarget, timeout: Duration) async -> CheckOutcome {
        let start = ContinuousClock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(max(1, timeout.components.seconds)))
                .connect(host: target.host, port: target.port)
                .get()
            let elapsed = milliseconds(since: start)
            try? await channel.close()
            return CheckOutcome(verdict: .up, responseMilliseconds: elapsed, message: "connected in \(Int(elapsed.rounded())) ms")
        } catch let error as ChannelError where error == .connectTimeout(.seconds(max(1, timeout.components.seconds))) {
            return .down("timed out connecting to \(target.host):\(target.port)")
        } catch {
            return .down("could not connect to \(target.host):\(target.port): \(error)")
        }
    }
}
