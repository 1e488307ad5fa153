import Foundation

/// One email as it goes over the wire: headers and a `multipart/alternative` body with a
/// text and an HTML part, each base64-encoded so no line is too long and no line is a lone dot.
struct EmailMessage: Sendable {
    var from: String
    var to: [String]
    var subject: String
    var text: String
    var html: String
    var date: Date
    var messageID: String

    /// The message in CRLF lines, ready for `DATA` (the terminating dot not included).
    func rendered() -> String {
        let boundary = "telltale-" + messageID.filter { $0.isLetter || $0.isNumber }.prefix(24)
        var lines = [
            "From: \(Self.header(from))",
            "To: \(to.map(Self.header).joined(separator: ", "))",
            "Subject: \(Self.encodedWord(Self.header(subject)))",
            "Date: \(Self.rfc5322(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += Self.base64Lines(text)
        lines += ["--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += Self.base64Lines(html)
        lines += ["--\(boundary)--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// A header value cannot carry a line break (header injection).
    static func header(_ value: String) -> String {
        String(value.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
    }

    /// RFC 2047: non-ASCII subjects travel as `=?UTF-8?B?…?=`.
    static func encodedWord(_ value: String) -> String {
        guard !value.allSatisfy(\.isASCII) else { return value }
        return "=?UTF-8?B?" + Data(value.utf8).base64EncodedString() + "?="
    }

    static func base64Lines(_ value: String) -> [String] {
        let encoded = Data(value.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return encoded.components(separatedBy: "\r\n")
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
