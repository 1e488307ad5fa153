import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// What the mail server said last, or why the conversation ended early.
struct SMTPFailure: Error, CustomStringConvertible {
    /// The server's reply code; `nil` when there was none (refused, reset, timed out, TLS).
    var code: Int?
    var description: String
}

/// A small SMTP client on SwiftNIO (no SMTP package is in our dependency set): one connection
/// per message, plain, STARTTLS or implicit TLS, AUTH PLAIN or LOGIN, then `MAIL`, `RCPT`,
/// `DATA` and `QUIT`. Every reply is read within the message's deadline, and a server that
/// sends endless or overlong lines is cut off.
struct SMTPClient: Sendable {
    let settings: SMTPSettings
    let group: any EventLoopGroup

    init(settings: SMTPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.group = group
    }

    /// Sends `message`; the server's final reply code (250) or throws ``SMTPFailure``.
    func send(_ message: EmailMessage) async throws -> Int {
        let timeout = TimeAmount.seconds(Int64(settings.timeoutSeconds))
        let context = try tlsContext()
        let host = settings.host
        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
        let implicitTLS = settings.security == .tls
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(min(timeout, .seconds(10)))
                .connect(host: host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName)) }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPFailure(code: nil, description: Self.describe(error))
        }
        // The deadline closes the connection, which ends any read or write in progress.
        let started = ContinuousClock.now
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
        defer { deadline.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var conversation = SMTPConversation(replies: SMTPReplyReader(inbound.makeAsyncIterator()), outbound: outbound)
                return try await conversation.run(settings: settings, message: message) {
                    try await channel.channel.eventLoop.submit {
                        try channel.channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
                    }.get()
                }
            }
        } catch let failure as SMTPFailure {
            throw failure
        } catch {
            throw SMTPFailure(code: nil, description: Self.describe(error, timedOut: ContinuousClock.now - started >= .seconds(settings.timeoutSeconds)))
        }
    }

    func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !settings.verifyCertificates { configuration.certificateVerification = .none }
        if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPFailure(code: nil, description: "cannot read smtp ca_file: \(error)")
        }
    }

    static func describe(_ error: any Error, timedOut: Bool = false) -> String {
        let text = String(describing: error)
        if error is NIOSSLError || error is BoringSSLError || text.contains("handshake") { return "TLS failed: \(String(text.prefix(200)))" }
        if text.contains("Connection refused") { return "connection refused" }
        if text.contains("Connection reset") { return "connection reset" }
        if text.contains("connectTimeout") || text.contains("ConnectTimeout") { return "timed out connecting" }
        if timedOut { return "timed out" }
        return "SMTP failed: \(String(text.prefix(200)))"
    }
}

/// The commands of one message, in order.
private struct SMTPConversation {
    var replies: SMTPReplyReader
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    mutating func run(settings: SMTPSettings, message: EmailMessage, startTLS: () async throws -> Void) async throws -> Int {
        try await expect(220, "greeting")
        let name = "telltale.localhost"
        var extensions = try await hello(name)
        if settings.security == .startTLS {
            guard extensions.contains(where: { $0 == "STARTTLS" || $0.hasPrefix("STARTTLS ") }) else {
                throw SMTPFailure(code: nil, description: "the server does not offer STARTTLS, which smtp.url requires")
            }
            try await command("STARTTLS", expect: 220)
            try await startTLS()
            extensions = try await hello(name)
        }
        if let username = settings.username {
            try await authenticate(username: username, password: settings.password ?? "", extensions: extensions)
        }
        try await command("MAIL FROM:<\(settings.fromAddress)>", expect: 250)
        for recipient in message.to { try await command("RCPT TO:<\(EmailMessage.header(recipient))>", expect: 250, 251) }
        try await command("DATA", expect: 354)
        try await write(Self.dotStuffed(message.rendered()) + ".\r\n")
        let accepted = try await expect(250, "message")
        try? await write("QUIT\r\n")
        return accepted.code
    }

    /// EHLO, or HELO from a server that knows no extensions; the extension keywords.
    mutating func hello(_ name: String) async throws -> [String] {
        try await write("EHLO \(name)\r\n")
        let reply = try await replies.next()
        if reply.code == 250 { return reply.lines.dropFirst().map { $0.uppercased() } }
        try await command("HELO \(name)", expect: 250)
        return []
    }

    mutating func authenticate(username: String, password: String, extensions: [String]) async throws {
        // `AUTH PLAIN LOGIN`, or the old `AUTH=PLAIN LOGIN` form.
        let mechanisms = Set(extensions.filter { $0.hasPrefix("AUTH") }.flatMap { $0.dropFirst(5).split(separator: " ").map(String.init) })
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await command("AUTH PLAIN \(token)", expect: 235, secret: true)
        } else {
            try await command("AUTH LOGIN", expect: 334)
            try await command(Data(username.utf8).base64EncodedString(), expect: 334, secret: true)
            try await command(Data(password.utf8).base64EncodedString(), expect: 235, secret: true)
        }
    }

    @discardableResult
    mutating func command(_ line: String, expect codes: Int..., secret: Bool = false) async throws -> SMTPReply {
        try await write(line + "\r\n")
        let reply = try await replies.next()
        guard codes.contains(reply.code) else {
            // The command is named, never its argument when that is a credential.
            let verb = secret ? "AUTH" : String(line.prefix(while: { $0 != " " && $0 != ":" }))
            throw SMTPFailure(code: reply.code, description: "\(verb): \(reply.code) \(reply.text)")
        }
        return reply
    }

    @discardableResult
    mutating func expect(_ code: Int, _ what: String) async throws -> SMTPReply {
        let reply = try await replies.next()
        guard reply.code == code else { throw SMTPFailure(code: reply.code, description: "\(what): \(reply.code) \(reply.text)") }
        return reply
    }

    func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// A line starting with a dot gets a second one, so the server never reads it as the end.
    static func dotStuffed(_ body: String) -> String {
        body.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
    }
}

/// One reply: its code and its lines without the code.
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { String(lines.joined(separator: " ").prefix(300)) }
}

/// Splits the server's bytes into replies (`250-…` lines continue, `250 …` ends one).
struct SMTPReplyReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var buffer = ByteBuffer()

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    mutating func next() async throws -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(line.prefix(3))), (200...599).contains(code) else {
                throw SMTPFailure(code: nil, description: "the server sent something that is not an SMTP reply")
            }
            lines.append(String(line.dropFirst(4)))
            guard lines.count <= 100 else { throw SMTPFailure(code: nil, description: "the server's reply is too long") }
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return SMTPReply(code: code, lines: lines) }
        }
    }

    mutating func nextLine() async throws -> String {
        while true {
            if let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = end - buffer.readerIndex
                var line = buffer.readString(length: length) ?? ""
                buffer.moveReaderIndex(forwardBy: 1)
                if line.hasSuffix("\r") { line.removeLast() }
                return line
            }
            guard buffer.readableBytes <= 4_096 else { throw SMTPFailure(code: nil, description: "the server sent a line longer than 4 KB") }
            guard var chunk = try await iterator.next() else {
                throw SMTPFailure(code: nil, description: "the server closed the connection")
            }
            buffer.writeBuffer(&chunk)
        }
    }
}
