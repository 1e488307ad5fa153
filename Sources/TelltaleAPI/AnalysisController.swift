public import Foundation
public import Hummingbird
import Logging
public import TelltaleAnalysis
public import TelltaleCore
public import TelltaleHTTP

/// What the detectors found and what an issue relates to: patterns, spikes, correlations of
/// issues and monitors, and root-cause analyses. Viewers read; members run an analysis.
public struct AnalysisController: Sendable {
    let repositories: Repositories
    let correlation: CorrelationService
    let rootCause: RootCauseService
    let now: @Sendable () -> Date

    public init(repositories: Repositories, rootCause: RootCauseService, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        correlation = CorrelationService(repositories: repositories)
        self.rootCause = rootCause
        self.now = now
    }

    struct AnalysisRequest: Decodable {
        var provider: String?
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("organizations/:org/patterns/") { request, context -> [PatternBody] in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .eventRead)
            let limit = min(500, max(1, Int(request.uri.queryParameters.get("limit") ?? "") ?? 100))
            return try await repositories.analysis.patterns(organizationID: organization.id, limit: limit).map(PatternBody.init)
        }
        router.get("organizations/:org/spikes/") { request, context -> [SpikeBody] in
            let organization = try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), .view, scope: .eventRead)
            let projects = try await repositories.projects.projects(organizationID: organization.id)
            var chosen = projects
            if let slug = request.uri.queryParameters.get("project"), !slug.isEmpty {
                chosen = projects.filter { $0.slug.rawValue == String(slug) }
                guard !chosen.isEmpty else { throw APIError.badRequest("project '\(slug)' is not a project of this organization") }
            }
            var issueID: Int64?
            if let text = request.uri.queryParameters.get("issue") {
                guard let id = Int64(text) else { throw APIError.badRequest("issue must be an issue id") }
                issueID = id
            }
            let hours = min(24 * 90, max(1, Int(request.uri.queryParameters.get("hours") ?? "") ?? 24 * 7))
            let slugs = Dictionary(uniqueKeysWithValues: projects.map { ($0.id, $0.slug.rawValue) })
            return try await repositories.analysis.spikes(projectIDs: chosen.map(\.id), issueID: issueID, since: now().addingTimeInterval(-Double(hours) * 3600),
                                                          limit: 500).map { SpikeBody($0, project: slugs[$0.projectID] ?? "") }
        }
        router.post("issues/:id/correlate") { _, context -> CorrelationBody in
            let (organization, _, issue) = try await authorizer.issue(context.parameters.require("id"), try context.requirePrincipal(), .view, scope: .eventRead)
            return CorrelationBody(try await correlation.correlate(issue: issue, organizationID: organization.id, now: now()))
        }
        router.post("monitors/:id/correlate") { _, context -> CorrelationBody in
            let (organization, monitor) = try await authorizer.owned(
                "monitor", try context.parameters.require("id"), try context.requirePrincipal(), .view, scope: .eventRead,
                find: { try await repositories.monitors.monitor(id: MonitorID($0)) }, organizationOf: \.organizationID)
            return CorrelationBody(try await correlation.correlate(monitor: monitor, organizationID: organization.id, now: now()))
        }
        router.get("issues/:id/analysis") { _, context -> AnalysisBody in
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), try context.requirePrincipal(), .view, scope: .eventRead)
            guard let stored = try await repositories.analysis.analysis(issueID: issue.id) else {
                throw APIError.notFound("issue \(issue.id) has no analysis yet: POST to this address to make one")
            }
            return AnalysisBody(stored)
        }
        router.post("issues/:id/analysis") { request, context -> EditedResponse<AnalysisBody> in
            let input = try await request.decode(as: AnalysisRequest.self, context: context)
            let providerText = input.provider ?? "offline"
            guard let provider = RootCauseService.Provider(rawValue: providerText) else {
                throw APIError.badRequest("provider must be offline or llm")
            }
            let (organization, _, issue) = try await authorizer.issue(context.parameters.require("id"), try context.requirePrincipal(), .triage, scope: .eventWrite)
            let stored = try await rootCause.analyze(issue: issue, organizationID: organization.id, provider: provider, now: now())
            context.logger.info("Analysed an issue", metadata: ["issue.id": "\(issue.id)", "provider": "\(stored.provider)"])
            return EditedResponse(status: .created, response: AnalysisBody(stored))
        }
    }
}

public struct PatternBody: ResponseEncodable, Sendable {
    var id: String
    var kind: String
    var key: String
    var label: String
    var confidence: Double
    var occurrences: Int
    var issues: [String]
    var projectCount: Int
    var releaseCount: Int
    var affectedUsers: Int
    var impactScore: Double
    var firstSeen: Date
    var lastSeen: Date
    var firstDetected: Date
    var lastDetected: Date

    init(_ stored: StoredPattern) {
        let found = stored.found
        id = String(stored.id)
        kind = found.kind.rawValue
        key = found.key
        label = found.label
        confidence = found.confidence
        occurrences = found.occurrences
        issues = found.issueIDs.map(String.init)
        projectCount = found.projectCount
        releaseCount = found.releaseCount
        affectedUsers = found.affectedUsers
        impactScore = found.impactScore
        firstSeen = found.firstSeen
        lastSeen = found.lastSeen
        firstDetected = stored.firstDetected
        lastDetected = stored.lastDetected
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, key, label, confidence, occurrences, issues, projectCount = "project_count", releaseCount = "release_count",
             affectedUsers = "affected_users", impactScore = "impact_score", firstSeen = "first_seen", lastSeen = "last_seen",
             firstDetected = "first_detected", lastDetected = "last_detected"
    }
}

public struct SpikeBody: ResponseEncodable, Sendable {
    var id: String
    var project: String
    var scope: String
    var issue: String?
    var startedAt: Date
    var lastAt: Date
    var peak: Int
    var expected: Double
    var score: Double
    var events: Int
    var detectedAt: Date

    init(_ spike: Spike, project: String) {
        id = String(spike.id)
        self.project = project
        scope = spike.scope.rawValue
        issue = spike.issueID.map(String.init)
        startedAt = spike.startedAt
        lastAt = spike.lastAt
        peak = spike.peak
        expected = spike.expected
        score = spike.score
        events = spike.events
        detectedAt = spike.detectedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, project, scope, issue, startedAt = "started_at", lastAt = "last_at", peak, expected, score, events, detectedAt = "detected_at"
    }
}

public struct CorrelationBody: ResponseEncodable, Sendable {
    struct EvidenceBody: Encodable, Sendable {
        var type: String
        var confidence: Double
        var detail: String
    }

    struct IssueBody: Encodable, Sendable {
        var id: String
        var title: String
        var project: String
        var events: Int
        var users: Int
        var severity: String?
        var businessImpact: String?
        var confidence: Double
        var types: [String]
        var evidence: [EvidenceBody]

        enum CodingKeys: String, CodingKey { case id, title, project, events, users, severity, businessImpact = "business_impact", confidence, types, evidence }
    }

    struct MonitorBody: Encodable, Sendable {
        var id: String
        var name: String
        var downAt: Date
        var confidence: Double
        var type: String
        var evidence: [EvidenceBody]

        enum CodingKeys: String, CodingKey { case id, name, downAt = "down_at", confidence, type, evidence }
    }

    var related: [IssueBody]
    var monitors: [MonitorBody]
    var impact: ImpactAssessment

    init(_ correlated: Correlated) {
        func evidence(_ list: [Correlation.Evidence]) -> [EvidenceBody] { list.map { EvidenceBody(type: $0.kind.rawValue, confidence: $0.confidence, detail: $0.detail) } }
        related = correlated.issues.map { item in
            IssueBody(id: String(item.issue.issueID), title: item.issue.title, project: item.issue.projectID.description, events: item.issue.events,
                      users: item.issue.users, severity: item.issue.severity?.rawValue, businessImpact: item.issue.impact?.rawValue, confidence: item.confidence,
                      types: item.evidence.map(\.kind.rawValue), evidence: evidence(item.evidence))
        }
        monitors = correlated.monitors.map {
            MonitorBody(id: $0.monitorID.description, name: $0.name, downAt: $0.downAt, confidence: $0.confidence, type: Correlation.Kind.dependency.rawValue,
                        evidence: evidence($0.evidence))
        }
        impact = correlated.impact
    }
}

public struct AnalysisBody: ResponseEncodable, Sendable {
    var issue: String
    var provider: String
    var model: String?
    var note: String?
    var createdAt: Date
    var analysis: RootCauseAnalysis

    init(_ stored: StoredAnalysis) {
        issue = String(stored.issueID)
        provider = stored.provider
        model = stored.model
        note = stored.note
        createdAt = stored.createdAt
        analysis = stored.analysis
    }

    enum CodingKeys: String, CodingKey { case issue, provider, model, note, createdAt = "created_at" }

    /// The analysis's fields at the top level, beside who made it.
    public func encode(to encoder: any Encoder) throws {
        try analysis.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(issue, forKey: .issue)
        try c.encode(provider, forKey: .provider)
        try c.encode(model, forKey: .model)
        try c.encode(note, forKey: .note)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
