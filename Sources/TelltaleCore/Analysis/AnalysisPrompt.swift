import Foundation

/// The prompt an LLM gets for a root-cause analysis, pure, built only from scrubbed data:
/// messages keep their shape (quoted strings, e-mail and IP addresses, UUIDs, URLs and numbers
/// replaced), frames keep code locations, tags only an allow-list of technical keys. No user
/// identifier, request body, header, cookie or variable value is ever included.
public enum AnalysisPrompt {
    /// Tags that describe the software, never the person.
    static let allowedTags: Set<String> = [
        "environment", "release", "level", "transaction", "handled", "mechanism", "runtime", "runtime.name", "os", "os.name", "browser",
        "browser.name", "device.family", "category", "severity", "business_impact", "component", "endpoint", "http.method", "http.status_code",
    ]

    public static let system = """
        You are a site reliability engineer analysing an application error for its developers. \
        Answer with one JSON object only, no prose around it, with these keys: \
        "root_cause" (string: the most likely cause), "impact" (string), "suggested_fix" (string), \
        "prevention" (string), "severity" (integer 1 to 5, 5 an outage), "evidence" (array of strings). \
        Be concrete and brief.
        """

    /// The user message: what is known of the issue, scrubbed.
    public static func user(_ input: AnalysisInput) -> String {
        var lines = ["Error: \(scrub(input.type.isEmpty ? input.title : input.type))", "Message: \(scrub(input.message.isEmpty ? input.title : input.message))"]
        if !input.culprit.isEmpty { lines.append("Culprit: \(scrub(input.culprit))") }
        let frames = input.frames.suffix(15).reversed().map { "  \($0.inApp ? "[app] " : "")\(scrub($0.location))" }
        if !frames.isEmpty { lines.append("Stack, innermost first:\n" + frames.joined(separator: "\n")) }
        let crumbs = input.breadcrumbs.suffix(10).map { "  [\(scrub($0.level))] \(scrub($0.category)): \(scrub($0.message).prefix(200))" }
        if !crumbs.isEmpty { lines.append("Breadcrumbs, oldest first:\n" + crumbs.joined(separator: "\n")) }
        let tags = input.tags.filter { allowedTags.contains($0.key) }.sorted { $0.key < $1.key }.map { "\($0.key)=\(scrub($0.value))" }
        if !tags.isEmpty { lines.append("Tags: " + tags.joined(separator: ", ")) }
        lines.append("Seen \(input.events) times by \(input.users) users since \(input.firstSeen.iso8601).")
        if let classification = input.classification {
            lines.append("Classified as \(classification.severity.rawValue) severity, category \(classification.category.rawValue), impact \(classification.impact.rawValue).")
        }
        if !input.related.isEmpty {
            lines.append("Related issues:\n" + input.related.prefix(5).map { "  \(scrub($0.title)) (\($0.reason))" }.joined(separator: "\n"))
        }
        return lines.joined(separator: "\n")
    }

    /// Text with what may identify a person or carry data replaced.
    public static func scrub(_ text: String) -> String { PatternFinder.messageShape(String(text.prefix(2_000))) }

    /// Reads the model's answer into an analysis: the first JSON object in the text (models
    /// wrap it in code fences now and then). `fallback` supplies signature and related issues.
    public static func parse(_ text: String, fallback: RootCauseAnalysis) throws -> RootCauseAnalysis {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
              let object = try JSONSerialization.jsonObject(with: Data(text[start...end].utf8)) as? [String: Any] else {
            throw ValidationError(field: "response", reason: "holds no JSON object")
        }
        func string(_ key: String) throws -> String {
            guard let value = object[key] as? String, !value.isEmpty else { throw ValidationError(field: key, reason: "is missing from the model's answer") }
            return String(value.prefix(4_000))
        }
        let severity = (object["severity"] as? Int) ?? (object["severity"] as? Double).map { Int($0) } ?? fallback.severity
        let evidence = (object["evidence"] as? [Any])?.compactMap { $0 as? String }.map { String($0.prefix(500)) } ?? []
        return RootCauseAnalysis(signature: fallback.signature, rootCause: try string("root_cause"), impact: (try? string("impact")) ?? fallback.impact,
                                 suggestedFix: try string("suggested_fix"), prevention: (try? string("prevention")) ?? fallback.prevention,
                                 severity: severity, evidence: Array(evidence.prefix(10)), relatedIssues: fallback.relatedIssues)
    }
}
