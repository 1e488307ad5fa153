public import Foundation
public import TelltaleCore
import SentryProtocol

/// Error events as the ingest pipeline hands them to the store, for tests that write
/// through the repositories instead of over HTTP.
public enum TestEvents {
    /// An error event of exception `type` (events of one type group into one issue).
    public static func error(_ project: ProjectID, _ type: String, receivedAt: TimeInterval, occurredAt: TimeInterval? = nil) throws -> IngestRecord {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let json = #"{"event_id":"\#(id)","timestamp":\#(occurredAt ?? receivedAt),"level":"error","exception":{"values":[{"type":"\#(type)","value":"v"}]}}"#
        let normalized = try EventNormalizer.normalize(try JSONParser.parse(Array(json.utf8)), context: EventContext(envelopeEventID: nil, receivedAt: receivedAt))
        let grouping = Grouping(digest: { $0.joined(separator: "|") }).group(normalized)
        return .event(EventRecord(projectID: project, summary: EventNormalizer.summarize(normalized), grouping: grouping, payload: [0], receivedAt: receivedAt))
    }
}
