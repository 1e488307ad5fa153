import Foundation
import SentryProtocol

/// The recorded SDK traffic in ../shared/fixtures (beside the repository).
enum Fixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/sentry-python")

    /// The uncompressed envelope bytes of a fixture.
    static func envelope(_ name: String) throws -> [UInt8] {
        let decoded = directory.appendingPathComponent("\(name).decoded.envelope")
        if FileManager.default.fileExists(atPath: decoded.path) { return Array(try Data(contentsOf: decoded)) }
        return Array(try Data(contentsOf: directory.appendingPathComponent("\(name).body")))
    }

    /// The first event-like item's payload of a fixture, parsed.
    static func event(_ name: String, type: String = "event") throws -> JSONValue {
        let envelope = try Envelope.parse(envelope(name))
        let item = envelope.items.first { $0.type == type }!
        return try JSONParser.parse(item.payload)
    }
}
