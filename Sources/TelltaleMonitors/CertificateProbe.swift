import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// Reads when an HTTPS server's certificate expires: a TLS handshake of its own, since the
/// HTTP client does not show the peer certificate. Certificates change rarely, so each host's
/// answer is kept for `lifetime` and checks at a 1-second interval do not add a handshake each.
final class CertificateProbe: Sendable {
    struct Entry {
        var notValidAfter: Date
        var checkedAt: Date
    }

    let tls: TLSConfiguration
    let group: any EventLoopGroup
    let lifetime: TimeInterval
    let entries = Mutex<[String: Entry]>([:])

    init(tls: TLSConfiguration, group: any EventLoopGroup, lifetime: TimeInterval = 3_600) {
        self.tls = tls
        self.group = group
        self.lifetime = lifetime
    }

    /// The end of validity of the certificate `host:port` presents (verified as the HTTP
    /// client verifies it).
    func notValidAfter(host: String, port: Int, timeout: TimeAmount, now: Date) async throws -> Date {
        let key = "\(host):\(port)"
        if let entry = entries.withLock({ $0[key] }), now.timeIntervalSince(entry.checkedAt) < lifetime { return entry.notValidAfter }
        let expiry = try await handshake(host: host, port: port, timeout: timeout)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = Entry(notValidAfter: expiry, checkedAt: now)
        }
        return expiry
    }

    private func handshake(host: String, port: Int, timeout: TimeAmount) async throws -> Date {
        let context = try NIOSSLContext(configuration: tls)
        let loop = group.next()
        let done = loop.makePromise(of: Date.self)
        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandlers(tlsHandler, HandshakeWatcher(tls: tlsHandler, done: done))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            done.fail(error)
            throw error
        }
        let timer = loop.scheduleTask(in: timeout) { done.fail(ChannelError.connectTimeout(timeout)) }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        return try await done.futureResult.get()
    }
}

/// Completes with the peer certificate's expiry once the handshake is done.
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let tls: NIOSSLClientHandler
    let done: EventLoopPromise<Date>

    init(tls: NIOSSLClientHandler, done: EventLoopPromise<Date>) {
        self.tls = tls
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            if let certificate = tls.peerCertificate {
                done.succeed(Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter)))
            } else {
                done.fail(NIOSSLError.noCertificateToValidate)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
