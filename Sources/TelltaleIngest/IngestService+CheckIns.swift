import Foundation
public import SentryProtocol
import TelltaleCore

extension IngestService {
    /// Sentry's HTTP check-in endpoint (`/api/{project_id}/cron/{slug}/{key}/`): the check-in
    /// is either `fields` (from the query) or a JSON `body`; the slug from the path wins.
    /// Authenticated by the key in the path; never rate-limited (as Sentry's Relay).
    public func checkIn(projectID projectText: String, publicKey: String, slug: String, fields: [String: String], body: JSONValue?) async throws(IngestFailure) {
        guard let number = Int64(projectText) else { throw IngestFailure(404, "project \(projectText) does not exist") }
        let grant = try await grant(publicKey: publicKey, projectID: ProjectID(number))
        var checkIn: JSONObject = [:]
        if case .object(let object)? = body { checkIn = object }
        for (name, value) in fields where ["status", "check_in_id", "environment"].contains(name) { checkIn[name] = .string(value) }
        if let duration = fields["duration"].flatMap(Double.init) { checkIn["duration"] = .double(duration) }
        checkIn["monitor_slug"] = .string(slug)
        if checkIn["status"] == nil { checkIn["status"] = .string("ok") }
        let context = EventContext(envelopeEventID: nil, receivedAt: Date().timeIntervalSince1970, clientIP: nil)
        let processor = ItemProcessor(project: grant.project, settings: settings, context: context, allowNonFinite: false, hashSecret: "")
        let bytes = JSONValue.object(checkIn).serialized()
        let record = processor.checkIn(bytes[...])
        guard case .checkIn = record else { throw IngestFailure(400, "a check-in needs status in_progress, ok or error") }
        try await commit([record], projectID: grant.project.id)
    }
}
