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
    /// Where events are stored by week (PostgreSQL): creates the weeks ahead of `now` and
    /// drops whole weeks no project keeps (`cutoffs`: each project's oldest kept receive
    /// time), before any row is deleted. Where events are one table (SQLite): nothing.
    func maintainEventWeeks(now: Date, cutoffs: [ProjectID: Date]) async throws -> DroppedEventWeeks
}

/// The weekly event tables a retention pass dropped, and how many events went per project.
public struct DroppedEventWeeks: Sendable, Equatable {
    public var tables: [String]
    public var events: [ProjectID: Int]
    /// Weeks due to go that could not (each with the reason), tried again next pass.
    public var postponed: [String]

    public init(tables: [String] = [], events: [ProjectID: Int] = [:], postponed: [String] = []) {
        self.tables = tables
        self.events = events
        self.postponed = postponed
    }
}

/// Applies every project's retention: batch after batch until nothing is left, pausing
/// between batches so the single writer keeps serving ingestion.
public struct RetentionPurger: Sendable {
    let projects: any ProjectRepository
    let retention: any RetentionRepository
    let batchSize: Int
    let pause: Duration
    /// Told of every pass that dropped weekly tables (for the log).
    let onDrop: @Sendable (DroppedEventWeeks) -> Void

    public init(projects: any ProjectRepository, retention: any RetentionRepository, batchSize: Int = 1_000, pause: Duration = .milliseconds(20),
                onDrop: @escaping @Sendable (DroppedEventWeeks) -> Void = { _ in }) {
        self.projects = projects
        self.retention = retention
        self.batchSize = batchSize
        self.pause = pause
        self.onDrop = onDrop
    }

    /// Per project slug: what would go (`dryRun`) or what went.
    public func run(now: Date, dryRun: Bool) async throws -> [(project: Project, counts: RetentionCounts)] {
        var result: [(project: Project, counts: RetentionCounts)] = []
        let projects = try await projects.projects(organizationID: nil)
        let cutoffs = Dictionary(projects.map { ($0.id, now.addingTimeInterval(-Double($0.settings.retentionDays) * 86_400)) }) { a, _ in a }
        let dropped = dryRun ? DroppedEventWeeks() : try await retention.maintainEventWeeks(now: now, cutoffs: cutoffs)
        if !dropped.tables.isEmpty || !dropped.postponed.isEmpty { onDrop(dropped) }
        for project in projects {
            let cutoff = cutoffs[project.id]!
            if dryRun {
                result.append((project, try await retention.expired(projectID: project.id, before: cutoff)))
                continue
            }
            var total = RetentionCounts()
            if let events = dropped.events[project.id] { total.rows["events"] = events }
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
