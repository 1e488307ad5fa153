import SentryProtocol
import TelltaleCore

/// A performance problem as an event: grouped by its fingerprint into an issue next to the
/// errors (same lifecycle, search and alert rules), linked to its transaction by trace.
enum PerformanceProblemEvent {
    static func payload(_ problem: PerformanceProblem, transaction: JSONValue, facts: TransactionFacts, eventID: String) -> JSONValue {
        var event: JSONObject = [
            "event_id": .string(SecretGenerator.hex(byteCount: 16)),
            "timestamp": .double(facts.end),
            "level": .string(problem.level),
            "logger": .string("telltale.performance"),
            "platform": transaction["platform"] ?? .string("other"),
            "message": .string("\(problem.kind.title): \(problem.subject)"),
            "culprit": .string(facts.name),
            "transaction": .string(facts.name),
            "fingerprint": .array(problem.fingerprint(transaction: facts.name).map(JSONValue.string)),
            "tags": .object(["performance.problem": .string(problem.kind.rawValue), "transaction": .string(facts.name)]),
            "contexts": .object([
                "trace": transaction["contexts"]?["trace"] ?? .null,
                "performance_problem": .object([
                    "kind": .string(problem.kind.rawValue), "subject": .string(problem.subject), "evidence": .string(problem.evidence),
                    "total_ms": .double(problem.totalMilliseconds), "span_ids": .array(problem.spanIDs.prefix(50).map(JSONValue.string)),
                    "transaction_event_id": .string(eventID),
                ]),
            ]),
        ]
        for key in ["release", "environment", "user", "request", "server_name", "sdk"] {
            if let value = transaction[key], !value.isNull { event[key] = value }
        }
        return .object(event)
    }
}
