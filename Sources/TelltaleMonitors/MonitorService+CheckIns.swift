import Foundation
public import Logging
public import TelltaleCore

/// Sentry cron check-ins: `monitor_config` creates or updates the project's cron monitor by
/// slug; `in_progress`, `ok` and `error` become start, success and failure pings paired by
/// `check_in_id` (the nil UUID pairs with the latest run in progress).
extension MonitorService {
    static let nilCheckInID = String(repeating: "0", count: 32)

    /// Applies committed check-ins in order; one that names an unknown monitor without a
    /// config is dropped (Sentry does the same) and logged.
    public func applyCheckIns(_ checkIns: [CheckInRecord], projects: any ProjectRepository, logger: Logger) async {
        for checkIn in checkIns {
            do {
                try await applyCheckIn(checkIn, projects: projects)
            } catch {
                logger.notice("Check-in not applied", metadata: ["project.id": "\(checkIn.projectID)", "monitor.slug": "\(checkIn.monitorSlug)", "error": "\(error)"])
            }
        }
    }

    func applyCheckIn(_ checkIn: CheckInRecord, projects: any ProjectRepository) async throws {
        let slug = Self.slugify(checkIn.monitorSlug)
        var monitor = try await monitors.monitor(projectID: checkIn.projectID, slug: slug)
        if let config = checkIn.config {
            let target = MonitorTarget.cron(try config.heartbeatTarget())
            if let existing = monitor {
                if existing.target != target || existing.failureThreshold != config.failureThreshold || existing.recoveryThreshold != config.recoveryThreshold {
                    let draft = try MonitorDraft(projectID: checkIn.projectID, name: existing.name, component: existing.component, slug: slug, target: target,
                                                 intervalSeconds: config.intervalSeconds, timeoutSeconds: existing.timeoutSeconds,
                                                 failureThreshold: config.failureThreshold, recoveryThreshold: config.recoveryThreshold, paused: existing.isPaused)
                    monitor = try await monitors.update(existing.id, draft, now: now())
                }
            } else {
                guard let project = try await projects.project(id: checkIn.projectID) else { throw DomainError.notFound("project") }
                let draft = try MonitorDraft(projectID: project.id, name: checkIn.monitorSlug, slug: slug, target: target, intervalSeconds: config.intervalSeconds,
                                             failureThreshold: config.failureThreshold, recoveryThreshold: config.recoveryThreshold)
                do {
                    monitor = try await create(in: project.organizationID, draft)
                } catch {
                    // Two first check-ins raced; the other created it.
                    monitor = try await monitors.monitor(projectID: checkIn.projectID, slug: slug)
                }
            }
        }
        guard let monitor else { throw DomainError.notFound("cron monitor '\(slug)' (send monitor_config to create it)") }
        let kind: PingKind
        switch checkIn.status {
        case "in_progress": kind = .start
        case "ok": kind = .success
        default: kind = .fail
        }
        let runID = checkIn.checkInID == Self.nilCheckInID ? nil : checkIn.checkInID
        _ = try await ping(monitor.id, kind: kind, runID: runID, body: nil)
    }

    /// Sentry's slug rule: lower case, runs of anything but letters, digits and `_` become `-`, at most 50.
    public static func slugify(_ text: String) -> String {
        var slug = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "_" { slug.append(character) } else if !slug.hasSuffix("-") { slug.append("-") }
        }
        return String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(50))
    }
}
