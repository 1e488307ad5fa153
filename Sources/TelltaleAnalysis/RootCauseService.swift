import AsyncHTTPClient
public import Foundation
public import Logging
public import NIOCore
import NIOHTTP1
import SentryProtocol
public import TelltaleCore
import TelltaleIngest

/// The optional LLM an analysis may ask: an OpenAI-compatible chat completions API or the
/// Anthropic messages API, at a base URL (so a local or proxied model works too).
public struct LLMSettings: Sendable, Hashable {
    public enum API: String, Sendable, Hashable, CaseIterable { case openai, anthropic }

    public var api: API
    /// E.g. `https://api.openai.com/v1` or `https://api.anthropic.com/v1`.
    public var baseURL: String
    public var model: String
    public var key: String?
    public var timeout: TimeAmount

    public init(api: API, baseURL: String, model: String, key: String?, timeoutSeconds: Int = 30) {
        self.api = api
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.key = key
        self.timeout = .seconds(Int64(timeoutSeconds))
    }
}

/// Root-cause analysis of an issue: the offline analyzer always, and an LLM when one is
/// configured and asked for, given only scrubbed data. The result is stored per issue; an LLM
/// failure or timeout stores the offline analysis with a note saying why.
public struct RootCauseService: Sendable {
    public enum Provider: String, Sendable, CaseIterable { case offline, llm }

    public let repositories: Repositories
    public let llm: LLMSettings?
    let logger: Logger

    public init(repositories: Repositories, llm: LLMSettings?, logger: Logger) {
        self.repositories = repositories
        self.llm = llm
        self.logger = logger
    }

    public func analyze(issue: Issue, organizationID: OrganizationID, provider: Provider, now: Date) async throws -> StoredAnalysis {
        let input = try await input(for: issue, organizationID: organizationID, now: now)
        let offline = RootCauseAnalyzer.analyze(input)
        var stored = StoredAnalysis(issueID: issue.id, provider: Provider.offline.rawValue, model: nil, analysis: offline, note: nil, createdAt: now)
        if provider == .llm {
            if let llm {
                do {
                    stored = StoredAnalysis(issueID: issue.id, provider: Provider.llm.rawValue, model: llm.model,
                                            analysis: try AnalysisPrompt.parse(try await ask(llm, input), fallback: offline), note: nil, createdAt: now)
                } catch {
                    logger.warning("LLM analysis failed; the offline analysis stands", metadata: ["issue.id": "\(issue.id)", "error": "\(error)"])
                    stored.note = "The LLM (\(llm.model)) failed, so this is the offline analysis: \(String(describing: error).prefix(300))"
                }
            } else {
                stored.note = "No LLM is configured (analysis.llm_url and analysis.llm_model), so this is the offline analysis."
            }
        }
        try await repositories.analysis.saveAnalysis(stored)
        return stored
    }

    /// What the analysis reads: the latest event's exception, frames, breadcrumbs and tags, and
    /// the issue's most similar and most correlated issues.
    func input(for issue: Issue, organizationID: OrganizationID, now: Date) async throws -> AnalysisInput {
        var event: JSONValue = .object([:])
        if let latest = try await repositories.issues.events(issueID: issue.id, cursor: nil, limit: 1).events.first {
            event = (try? JSONParser.parse(PayloadCompression.decompress(latest.compressedPayload))) ?? .object([:])
        }
        let exceptions = event["exception"]?.interfaceValues ?? []
        let main = exceptions.last
        let frames = (main?["stacktrace"]?["frames"]?.arrayValue ?? []).map { frame in
            AnalysisInput.Frame(function: frame["function"]?.stringValue, module: frame["module"]?.stringValue,
                                file: frame["filename"]?.stringValue ?? frame["abs_path"]?.stringValue,
                                line: frame["lineno"]?.doubleValue.map { Int($0) }, inApp: frame["in_app"]?.boolValue ?? false)
        }
        let crumbs = (event["breadcrumbs"]?.interfaceValues ?? []).suffix(20).map { crumb in
            AnalysisInput.Breadcrumb(category: crumb["category"]?.stringValue ?? crumb["type"]?.stringValue ?? "default",
                                     message: crumb["message"]?.stringValue ?? "", level: crumb["level"]?.stringValue ?? "info")
        }
        // The stored payload is normalized: its tags are an object.
        var tags: [String: String] = [:]
        for (key, value) in event["tags"]?.objectValue ?? [:] { tags[key] = value.scalarText }
        let type = main?["type"]?.stringValue ?? ClassificationInput.exceptionType(title: issue.title, eventType: "error")
        let message = main?["value"]?.stringValue ?? event["logentry"]?["formatted"]?.stringValue ?? event["message"]?.stringValue ?? issue.title
        var related: [RootCauseAnalysis.Related] = []
        let correlated = try await CorrelationService(repositories: repositories).correlate(issue: issue, organizationID: organizationID, now: now, limit: 3)
        for monitor in correlated.monitors.prefix(2) {
            related.append(.init(issueID: 0, title: "monitor \(monitor.name) went down", reason: "dependency"))
        }
        related += correlated.issues.map { .init(issueID: $0.issue.issueID, title: $0.issue.title, reason: $0.evidence.first?.kind.rawValue ?? "related") }
        let similar = try await ClassificationService(repositories: repositories).similar(to: issue, organizationID: organizationID, limit: 3)
        related += similar.filter { match in !related.contains { $0.issueID == match.issueID } }
            .map { .init(issueID: $0.issueID, title: $0.title, reason: "similar") }
        return AnalysisInput(title: issue.title, type: type, message: message, culprit: issue.culprit, frames: frames, breadcrumbs: Array(crumbs), tags: tags,
                             events: Int(issue.timesSeen), users: Int(issue.userCount), firstSeen: issue.firstSeen, classification: issue.classification,
                             related: related)
    }

    struct LLMError: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends the scrubbed prompt; the model's text answer.
    func ask(_ llm: LLMSettings, _ input: AnalysisInput) async throws -> String {
        let user = AnalysisPrompt.user(input)
        var request: HTTPClientRequest
        let body: [String: Any]
        switch llm.api {
        case .openai:
            request = HTTPClientRequest(url: llm.baseURL + "/chat/completions")
            if let key = llm.key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
            body = ["model": llm.model, "temperature": 0.2,
                    "messages": [["role": "system", "content": AnalysisPrompt.system], ["role": "user", "content": user]]]
        case .anthropic:
            request = HTTPClientRequest(url: llm.baseURL + "/messages")
            if let key = llm.key { request.headers.add(name: "x-api-key", value: key) }
            request.headers.add(name: "anthropic-version", value: "2023-06-01")
            body = ["model": llm.model, "max_tokens": 1024, "system": AnalysisPrompt.system, "messages": [["role": "user", "content": user]]]
        }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: llm.timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw LLMError(description: "the model's API answered \(response.status.code)") }
        let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        let text: String? = switch llm.api {
        case .openai: ((object?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
        case .anthropic: (object?["content"] as? [[String: Any]])?.first { $0["type"] as? String == "text" }?["text"] as? String
        }
        guard let text else { throw LLMError(description: "the model's answer has no text") }
        return text
    }
}
