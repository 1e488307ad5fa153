import Foundation
import Logging
import ServiceLifecycle
import TelltaleCore

/// Judges alert rules' `disk_space_low` conditions against the free space on the database's
/// disk, once a minute: a crossing is recorded once as a detection
/// addressed to the rule, and again only after the space went back over the threshold. SQLite
/// only: PostgreSQL's disk belongs to the database server and is watched there (a full one
/// still makes ingest answer 503).
struct DiskSpaceWatch: Service {
    let repositories: Repositories
    let freeBytes: @Sendable () -> Int64?
    let now: @Sendable () -> Date
    let logger: Logger

    struct Breach: Sendable, Hashable {
        var organizationID: OrganizationID
        var ruleID: AlertRuleID
        var reason: String

        var key: String { "\(ruleID):\(organizationID)" }
    }

    /// The rules whose thresholds `free` is under (any rule: the disk is the installation's).
    static func breaches(_ rules: [(OrganizationID, AlertRule)], free: Int64) -> [Breach] {
        rules.compactMap { organization, rule in
            let thresholds = rule.draft.conditions.compactMap { if case .diskSpaceLow(let bytes) = $0 { bytes } else { nil } }
            guard let highest = thresholds.max(), free < highest else { return nil }
            let format = { (bytes: Int64) in ByteCountFormatter.string(fromByteCount: bytes, countStyle: .binary) }
            return Breach(organizationID: organization, ruleID: rule.id, reason: "\(format(free)) free on the database's disk (under \(format(highest)))")
        }
    }

    /// Records the breaches at `now` that were not standing; returns them.
    func pass(now: Date, standing: inout StandingCrossings) async throws -> [Breach] {
        guard let free = freeBytes() else { return [] }
        var rules: [(OrganizationID, AlertRule)] = []
        for organization in try await repositories.organizations.all() {
            for rule in try await repositories.alerts.rules(organizationID: organization.id) where rule.draft.enabled {
                rules.append((organization.id, rule))
            }
        }
        let fresh = standing.fresh(Self.breaches(rules, free: free), key: \.key)
        for breach in fresh {
            try await repositories.alerts.recordCrossing(organizationID: breach.organizationID, ruleID: breach.ruleID, title: "Disk space low",
                                                         detail: breach.reason, at: now)
        }
        return fresh
    }

    func run() async throws {
        let standing = BusinessCapability.Standing()
        // SQLite only: one process, so no lease is needed.
        try await PeriodicJob(name: "Disk space thresholds", firstRun: .seconds(10), interval: .seconds(60), logger: logger) {
            let now = now()
            var crossings = await standing.crossings
            let recorded = try await pass(now: now, standing: &crossings)
            await standing.set(crossings)
            for breach in recorded { logger.warning("Free disk space under a rule's threshold", metadata: ["rule.id": "\(breach.ruleID)", "reason": "\(breach.reason)"]) }
        }.run()
    }
}
