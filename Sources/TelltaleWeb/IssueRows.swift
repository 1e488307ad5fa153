import Foundation
import TelltaleCore

/// One row of the issues table, as the template and the live updates render it.
struct IssueRowView: Sendable {
    var id: Int64
    var href: String
    var title: String
    var culprit: String
    var level: String
    var status: String
    var severity: String?
    var project: String
    var events: String
    var eventsExact: Int64
    var users: String
    var firstSeen: String
    var firstSeenISO: String
    var lastSeen: String
    var lastSeenISO: String
    var sparkline: String
    var assignee: String?
    var isRegressed: Bool
}

extension Dashboard {
    /// Rows for issues, with their 24-hour sparklines, severities and assignees, in few queries.
    /// `spikeHours` marks, per issue, the hours (seconds) in which a spike was detected.
    func rows(_ issues: [Issue], scope: PageScope, now: Date = Date(), spikeHours: [Int64: Set<Int64>] = [:]) async throws -> [IssueRowView] {
        guard !issues.isEmpty else { return [] }
        let ids = issues.map(\.id)
        let counts = try await repositories.issues.eventCounts(issueIDs: ids, since: now.addingTimeInterval(-86_400 + 3_600), until: now, bucketSeconds: 3_600)
        // Issues opened before classification existed show their events' severity tag.
        let unclassified = issues.filter { $0.classification == nil }.map(\.id)
        let severities = unclassified.isEmpty ? [:] : try await repositories.issues.topTagValues(issueIDs: unclassified, keys: ["severity"])
        let projects = Dictionary(scope.projects.map { ($0.id, $0.slug.rawValue) }, uniquingKeysWith: { a, _ in a })
        var names: [UserID: String] = [:]
        for id in Set(issues.compactMap(\.assignedTo)) {
            if let user = try await repositories.users.user(id: id) { names[id] = user.name }
        }
        return issues.map { issue in
            IssueRowView(
                id: issue.id,
                href: "\(scope.orgPath)/issues/\(issue.id)/",
                title: issue.title,
                culprit: issue.culprit,
                level: issue.level,
                status: issue.status.rawValue,
                severity: issue.classification?.severity.rawValue ?? severities[issue.id]?["severity"],
                project: projects[issue.projectID] ?? "",
                events: WebFormat.count(issue.timesSeen),
                eventsExact: issue.timesSeen,
                users: WebFormat.count(issue.userCount),
                firstSeen: WebFormat.relative(issue.firstSeen, now: now),
                firstSeenISO: WebFormat.iso(issue.firstSeen),
                lastSeen: WebFormat.relative(issue.lastSeen, now: now),
                lastSeenISO: WebFormat.iso(issue.lastSeen),
                sparkline: Charts.sparkline(counts[issue.id], marks: spikeHours[issue.id] ?? []),
                assignee: issue.assignedTo.flatMap { names[$0] },
                isRegressed: issue.status == .recurring
            )
        }
    }
}
