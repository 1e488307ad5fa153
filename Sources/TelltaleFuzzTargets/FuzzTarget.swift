import Foundation
import NIOCore
import SentryProtocol
import TelltaleCore
import TelltaleHTTP
import TelltaleIngest

/// The parsers that read bytes from outside, each as a fuzz target: libFuzzer drives them
/// through `telltale-fuzz` (scripts/fuzz.sh), and the tests replay every kept corpus input.
/// A target fails by crashing: a parser may refuse its input, never trap, hang or answer
/// something that does not survive its own round trip.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case envelope, json, decompression, searchQuery = "search-query", crontab, form, sentryAuth = "sentry-auth"

    /// The target `TELLTALE_FUZZ_TARGET` names, read once.
    public static let selected = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["TELLTALE_FUZZ_TARGET"] ?? "")

    /// Runs one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .envelope: Self.envelope(bytes)
        case .json: Self.json(bytes)
        case .decompression: Self.decompression(bytes)
        case .searchQuery: _ = try? IssueQueryParser.parse(String(decoding: bytes, as: UTF8.self), now: Self.now)
        case .crontab: Self.crontab(bytes)
        case .form: Self.form(bytes)
        case .sentryAuth: _ = SentryAuth.parse(header: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A fixed "now", so an input behaves the same on every run.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A parsed envelope written out again parses to the same items.
    static func envelope(_ bytes: [UInt8]) {
        guard let envelope = try? Envelope.parse(bytes) else { return }
        guard let again = try? Envelope.parse(envelope.serialized()) else { fatalError("a parsed envelope does not parse after serializing") }
        guard again.items.count == envelope.items.count,
              zip(again.items, envelope.items).allSatisfy({ $0.payload.elementsEqual($1.payload) && $0.type == $1.type }) else {
            fatalError("an envelope changed its items in a round trip")
        }
    }

    /// Writing parsed JSON is stable: what was written reads back and writes the same bytes.
    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let written = value.serialized()
        guard let again = try? JSONParser.parse(written) else { fatalError("written JSON does not parse: \(value.jsonText)") }
        guard again.serialized() == written else { fatalError("JSON writing is not stable: \(value.jsonText)") }
    }

    /// The first byte picks the `Content-Encoding`; the decoded size never passes the limit.
    static func decompression(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let encodings = ["gzip", "deflate", "br", "zstd", "identity", "x-gzip", "compress"]
        let limit = 256 * 1024
        let body = ByteBuffer(bytes: bytes.dropFirst())
        guard let decoded = try? Decompression.decode(body, encoding: encodings[Int(first) % encodings.count], limit: limit) else { return }
        if decoded.count > limit { fatalError("decoded \(decoded.count) bytes past the limit of \(limit)") }
    }

    /// A schedule that parses always has a next run within five years of any time.
    static func crontab(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let schedule = try? CronSchedule(text) else { return }
        _ = schedule.next(after: now, in: TimeZone(identifier: "UTC")!)
        _ = schedule.next(after: now, in: TimeZone(identifier: "Europe/Berlin")!)
    }

    /// Every field read back is one the body named.
    static func form(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let form = Form(encoded: Substring(text))
        for pair in text.split(separator: "&").prefix(4) {
            let name = String(pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0])
            _ = form.all(name.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? name)
        }
        _ = form.text("q")
    }
}
