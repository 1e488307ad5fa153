public import Foundation

/// Rows past a project's retention, by table (`events`, `issues`, `transactions`…).
public struct RetentionCounts: Sendable, Equatable {
    public var rows: [String: Int]

    public init(rows: [String: Int] = [:]) {
        self.rows = rows
    }

    public var total: Int { rows.values.reduce(0, +) }

    public mutating func add(_ other: RetentionCounts) {
        for (table, n) in other.rows { rows[table, default: 0] += n }
    }
}

/// Deletes what a project no longer keeps, in small batches.
public protocol RetentionRepository: Sendable {
    /// What a purge would delete now (events and other data received before `cutoff`, and
    /// issues with no events left that were last seen before it).
    func expired(projectID: ProjectID, before cutoff: Date) async throws -> RetentionCounts
    /// Deletes at most `batchSize` rows per table, each table in its own short transaction.
    func purgeBatch(projectID: ProjectID, before cutoff: Date, batchSize: Int) async throws -> RetentionCounts
}

/// Applies every project's retention: batch after batch until nothing is left, pausing
/// between batches so the single writer keeps serving ingestion.
public struct RetentionPurger: Sendable {
    let projects: any ProjectRepository
    let retention: any RetentionRepository
    let batchSize: Int
    let pause: Duration

    public init(projects: any ProjectRepository, retention: any RetentionRepository, batchSize: Int = 1_000, pause: Duration = .milliseconds(20)) {
        self.projects = projects
        self.retention = retention
        self.batchSize = batchSize
        self.pause = pause
    }

    /// Per project slug: what would go (`dryRun`) or what went.
    public func run(now: Date, dryRun: Bool) async throws -> [(project: Project, counts: RetentionCounts)] {
        var result: [(project: Project, counts: RetentionCounts)] = []
        for project in try await projects.projects(organizationID: nil) {
            let cutoff = now.addingTimeInterval(-Double(project.settings.retentionDays) * 86_400)
            if dryRun {
                result.append((project, try await retention.expired(projectID: project.id, before: cutoff)))
                continue
            }
            var total = RetentionCounts()
            while true {
                try Task.checkCancellation()
                let batch = try await retention.purgeBatch(projectID: project.id, before: cutoff, batchSize: batchSize)
                total.add(batch)
                if batch.total == 0 { break }
                try await Task.sleep(for: pause)
            }
            result.append((project, total))
        }
        return result
    }
}
