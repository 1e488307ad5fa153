import ArgumentParser
import Foundation
import TelltaleCore

/// `telltale purge [--dry-run]`: applies every project's retention now, or shows what would go.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete events and issues older than each project's retention (the server also does this hourly)."
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Only show what would be deleted.") var dryRun = false

    func run() async throws {
        let dryRun = self.dryRun
        let results = try await options.withAccounts { _, repositories, _ in
            try await RetentionPurger(projects: repositories.projects, retention: repositories.retention, pause: .zero)
                .run(now: Date(), dryRun: dryRun)
                .map { (slug: $0.project.slug.rawValue, days: $0.project.settings.retentionDays, rows: $0.counts.rows) }
        }
        let verb = dryRun ? "would delete" : "deleted"
        if results.isEmpty { Console.out("No projects yet: nothing to purge.") }
        for result in results {
            let parts = result.rows.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            Console.out("\(result.slug) (keeps \(result.days) days): \(verb) \(parts.isEmpty ? "nothing" : parts.joined(separator: ", "))")
        }
    }
}
