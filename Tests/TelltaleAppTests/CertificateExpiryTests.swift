import Crypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import SwiftASN1
import X509
@testable import TelltaleMonitors
import TelltaleCore

/// HTTPS checks against a real TLS server on 127.0.0.1 whose certificate, signed by a test
/// authority, expires when the test says.
@Suite("HTTPS certificate expiry")
struct CertificateExpiryTests {
    @Test("a certificate close to expiry is degraded, one far from it is up, an expired one is down")
    func expiry() async throws {
        let authority = try TestAuthority()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try authority.nioCertificate()])
        let checker = HTTPChecker(tls: tls)
        defer { Task { await checker.shutdown() } }
        for (validDays, warnDays, expected) in [(5.5, 14, "expires in 5 days"), (40.0, 14, "status 200"), (5.0, 0, "status 200"), (-1.0, 14, "TLS failed")] {
            try await TLSTestServer.run(authority: authority, validFor: validDays * 86_400) { port in
                let target = try HTTPTarget(url: "https://localhost:\(port)/", certificateExpiryDays: warnDays)
                let outcome = await checker.check(target, timeout: .seconds(5))
                #expect(outcome.message.contains(expected), "\(validDays) days, warn at \(warnDays): \(outcome.message)")
                let verdict: CheckVerdict = expected.hasPrefix("expires") ? .degraded : expected.hasPrefix("TLS") ? .down : .up
                #expect(outcome.verdict == verdict, "\(validDays) days: \(outcome.message)")
            }
        }
    }

    @Test("the rule: expired is down, within the warning days degraded, zero days turns the warning off")
    func rule() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let target = try HTTPTarget(url: "https://example.com/", certificateExpiryDays: 14)
        #expect(target.certificateVerdict(notValidAfter: now.addingTimeInterval(20 * 86_400), now: now) == nil)
        #expect(target.certificateVerdict(notValidAfter: now.addingTimeInterval(3.5 * 86_400), now: now)?.verdict == .degraded)
        #expect(target.certificateVerdict(notValidAfter: now.addingTimeInterval(3.5 * 86_400), now: now)?.message.contains("in 3 days") == true)
        #expect(target.certificateVerdict(notValidAfter: now.addingTimeInterval(3_600), now: now)?.message.contains("less than a day") == true)
        #expect(target.certificateVerdict(notValidAfter: now.addingTimeInterval(-1), now: now)?.verdict == .down)
        let off = try HTTPTarget(url: "https://example.com/", certificateExpiryDays: 0)
        #expect(off.certificateVerdict(notValidAfter: now.addingTimeInterval(3_600), now: now) == nil)
        #expect(off.certificateVerdict(notValidAfter: now.addingTimeInterval(-1), now: now)?.verdict == .down)
    }
}

/// A certificate authority made for one test run.
struct TestAuthority {
    let key = P256.Signing.PrivateKey()
    let name: DistinguishedName
    let certificate: Certificate

    init() throws {
        name = try DistinguishedName { CommonName("Telltale test authority") }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    func nioCertificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: Array(certificate.serializeAsPEM().pemString.utf8), format: .pem)
    }

    /// A certificate for `localhost` valid for `seconds` from now (negative: expired that long ago).
    func serverCertificate(validFor seconds: TimeInterval) throws -> (NIOSSLCertificate, NIOSSLPrivateKey) {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-30 * 86_400), notValidAfter: now.addingTimeInterval(seconds),
            issuer: name, subject: try DistinguishedName { CommonName("localhost") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.dnsName("localhost")])
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: .init(key))
        return (try NIOSSLCertificate(bytes: Array(leaf.serializeAsPEM().pemString.utf8), format: .pem),
                try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem))
    }
}

/// An HTTPS server on 127.0.0.1 answering every request `200 ok`.
enum TLSTestServer {
    static func run(authority: TestAuthority, validFor seconds: TimeInterval, _ body: (Int) async throws -> Void) async throws {
        let (certificate, key) = try authority.serverCertificate(validFor: seconds)
        let context = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(NIOSSLServerHandler(context: context), OKResponder())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(channel.localAddress?.port ?? 0)
        } catch {
            try? await channel.close()
            throw error
        }
        try await channel.close()
    }

    final class OKResponder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var answered = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            answered = true
            let response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            // Closing after the write is queued: NIO sends the response, then closes.
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
            context.close(mode: .output, promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
