import Mustache
public import TelltaleCore

/// What a run of a runbook would do, with the HTTP bodies rendered from a test payload;
/// nothing is called. The runbook editor's check before a real run.
public enum DryRun {
    public struct Step: Sendable, Encodable {
        public var index: Int
        public var type: String
        public var description: String
        public var body: String?
        public var error: String?
    }

    public static func plan(_ draft: RunbookDraft, payload: [String: String]) -> [Step] {
        var context: [String: Any] = payload
        context["incident"] = ["id": payload["incident.id"] ?? "0", "title": payload["incident.title"] ?? "Test incident",
                               "severity": payload["incident.severity"] ?? "high", "status": "triggered"]
        return draft.steps.enumerated().map { index, step in
            switch step {
            case .http(let call):
                var body: String?, error: String?
                do { body = try call.body.map { try MustacheTemplate(string: $0).render(context) } } catch let failure { error = "\(failure)" }
                let headers = call.headers.keys.sorted().joined(separator: ", ")
                return Step(index: index, type: step.typeName,
                            description: "\(call.method) \(call.url)" + (headers.isEmpty ? "" : " with headers \(headers)") +
                                ", expecting \(call.expectStatus.map(String.init).joined(separator: " or ")), \(call.retries) retries",
                            body: body, error: error)
            case .waitForMonitor(let monitor, let status, let timeout):
                return Step(index: index, type: step.typeName, description: "wait up to \(timeout) s for monitor \(monitor) to be \(status.rawValue)")
            case .waitForQuiet(let issue, let quiet, let timeout):
                return Step(index: index, type: step.typeName,
                            description: "wait up to \(timeout) s for \(issue.map { "issue \($0)" } ?? "the linked issues") to be quiet for \(quiet) s")
            case .note(let text):
                return Step(index: index, type: step.typeName, description: "post the note: \(text)")
            case .resolveIncident:
                return Step(index: index, type: step.typeName, description: "resolve the incident")
            }
        }
    }
}
