import Foundation
public import Hummingbird
public import Logging
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP
public import TelltaleIngest

/// `POST /api/0/projects/{org}/{project}/test-event/`: sends a realistic error through the
/// real ingest path (an envelope authenticated by the project's client key, then parsing,
/// scrubbing, grouping, the group commit, alert rules) and answers with its issue. With
/// `simulate_resolution_seconds` the issue is resolved that long after, as a person would,
/// so the whole lifecycle (and any rule on resolution) can be watched.
public struct TestEventController: Sendable {
    /// Waits before the simulated resolution; tests replace it so they never sleep.
    public typealias Delay = @Sendable (Duration) async throws -> Void

    let service: IngestService
    let repositories: Repositories
    let publicURL: String
    let delay: Delay
    let logger: Logger

    /// The longest simulated resolution delay (an hour).
    static let maxResolutionSeconds = 3600

    public init(service: IngestService, repositories: Repositories, publicURL: String, logger: Logger,
                delay: @escaping Delay = { try await Task.sleep(for: $0) }) {
        self.service = service
        self.repositories = repositories
        self.publicURL = publicURL
        self.logger = logger
        self.delay = delay
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.post("projects/:org/:project/test-event/") { request, context -> EditedResponse<TestEventBody> in
            let principal = try context.requirePrincipal()
            let (organization, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .triage, scope: .eventWrite
            )
            let input = try await Self.input(request, context)
            let test = try input.testEvent()
            guard let key = try await repositories.projects.keys(projectID: project.id).first(where: \.isActive) else {
                throw APIError(.conflict, "project '\(project.slug.rawValue)' has no active client key to send with; create or enable one")
            }
            let eventID = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let body = test.envelope(eventID: eventID, at: Date(), dsn: nil)
            do throws(IngestFailure) {
                _ = try await service.ingest(IngestRequest(
                    endpoint: .envelope, projectID: String(project.id.rawValue), body: ByteBuffer(bytes: body),
                    contentEncoding: nil, contentType: "application/x-sentry-envelope",
                    authHeader: "Sentry sentry_key=\(key.publicKey), sentry_version=7, sentry_client=\(TestEvent.client)",
                    query: [:], clientIP: context.remoteAddress
                ))
            } catch {
                var headers: HTTPFields = [:]
                if let retry = error.retryAfter { headers[.retryAfter] = String(retry) }
                throw APIError(.init(code: error.status), "the test event was refused: \(error.detail)", headers: headers)
            }
            // The answer comes after the commit, so the event and its issue are there to read.
            guard let stored = try await repositories.events.event(projectID: project.id, eventID: eventID), let issueID = stored.issueID else {
                // Sampling drops events after they are accepted, as it does for any SDK's.
                if project.settings.sampleRate < 1 {
                    throw APIError(.conflict, "the test event was accepted but dropped by the project's sample rate (\(project.settings.sampleRate)); send it again or raise the rate")
                }
                throw APIError(.internalServerError, "the test event was accepted but is not stored; see the server log")
            }
            if let seconds = input.simulateResolutionSeconds {
                scheduleResolution(issueID: issueID, after: seconds, by: principal.user.id)
            }
            return EditedResponse(status: .created, response: TestEventBody(
                eventID: eventID, issueID: String(issueID),
                issueURL: "\(publicURL)/organizations/\(organization.slug.rawValue)/issues/\(issueID)/",
                resolvesInSeconds: input.simulateResolutionSeconds
            ))
        }
    }

    /// Resolves the issue after `seconds`, on this node. Not kept across a restart: it is a
    /// demonstration, and the operator can resolve the issue by hand.
    private func scheduleResolution(issueID: Int64, after seconds: Int, by user: UserID) {
        let repositories = self.repositories, delay = self.delay, logger = self.logger
        Task {
            do {
                try await delay(.seconds(seconds))
                _ = try await repositories.issues.update(
                    id: issueID, IssueChange(status: .resolved, resolutionNote: "resolved by the simulated test-event lifecycle"), by: user, now: Date()
                )
                logger.info("Test event's issue resolved as simulated", metadata: ["issue.id": "\(issueID)"])
            } catch {
                logger.warning("Simulated resolution of the test event's issue failed", metadata: ["issue.id": "\(issueID)", "error": "\(error)"])
            }
        }
    }

    /// The request body; an empty body asks for the defaults.
    static func input(_ request: Request, _ context: TelltaleRequestContext) async throws -> TestEventInput {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 16 * 1024) } catch {
            throw APIError(.contentTooLarge, "request body exceeds the limit of 16384 bytes")
        }
        guard buffer.readableBytes > 0 else { return TestEventInput() }
        do {
            return try JSONDecoder().decode(TestEventInput.self, from: Data(Array(buffer: buffer)))
        } catch {
            throw APIError.badRequest("invalid test event request: \(error)")
        }
    }
}

/// What to send: all optional.
struct TestEventInput: Decodable, Sendable {
    var severity: String?
    var category: String?
    var businessImpact: String?
    var environment: String?
    var simulateResolutionSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case severity, category, environment
        case businessImpact = "business_impact"
        case simulateResolutionSeconds = "simulate_resolution_seconds"
    }

    func testEvent() throws -> TestEvent {
        var test = TestEvent()
        if let severity {
            guard let value = IssueSeverity(rawValue: severity) else {
                throw APIError.badRequest("severity must be one of \(IssueSeverity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            test.severity = value
        }
        if let category {
            guard let value = IssueCategory(rawValue: category) else {
                throw APIError.badRequest("category must be 1 to 50 lowercase letters, digits and _ (e.g. database, network, payment)")
            }
            test.category = value
        }
        if let businessImpact {
            guard let value = BusinessImpact(rawValue: businessImpact) else {
                throw APIError.badRequest("business_impact must be one of \(BusinessImpact.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            test.impact = value
        }
        if let environment {
            guard !environment.isEmpty, environment.count <= 64, !environment.contains("/") else {
                throw APIError.badRequest("environment must be 1 to 64 characters without '/'")
            }
            test.environment = environment
        }
        if let seconds = simulateResolutionSeconds, !(0...TestEventController.maxResolutionSeconds).contains(seconds) {
            throw APIError.badRequest("simulate_resolution_seconds must be 0 to \(TestEventController.maxResolutionSeconds)")
        }
        return test
    }
}

/// The answer: the event and where to see its issue.
public struct TestEventBody: ResponseEncodable, Sendable {
    var eventID: String
    var issueID: String
    var issueURL: String
    var resolvesInSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id", issueID = "issue_id", issueURL = "issue_url", resolvesInSeconds = "resolves_in_seconds"
    }
}
