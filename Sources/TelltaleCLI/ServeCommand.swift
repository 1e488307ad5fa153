import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SentryProtocol
import TelltaleApp
import TelltaleCore
import TelltaleStore
import UnixSignals

/// `telltale serve`: runs the server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Telltale server (the default command).")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let configuration = try await options.loadConfiguration()
        configuration.bootstrapLogging()
        MemoryTuning.apply()
        let logger = Logger(label: "telltale")
        do {
            let app = try await buildApplication(configuration: configuration, logger: logger, announce: Self.announce)
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            Console.error("server stopped: \(error)")
            throw ExitCode(1)
        }
    }

    /// Prints where to go and how to send the first event.
    static func announce(_ configuration: AppConfiguration, _ report: BootstrapReport) {
        var lines = ["", "Telltale is running.", "  Dashboard:  \(configuration.publicURL)/"]
        if let project = report.project, let key = report.key,
           let dsn = DSN(baseURL: configuration.publicURL, publicKey: key.publicKey, projectID: project.id.description) {
            lines.append("  DSN:        \(dsn)   (project '\(project.slug)')")
        }
        lines.append("  Sign in as: \(report.adminEmail)")
        if let password = report.generatedPassword {
            lines.append("  Password:   \(password)   (generated; shown only this once)")
        }
        lines.append("")
        Console.out(lines.joined(separator: "\n"))
    }
}

/// `telltale migrate`: applies pending schema migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")

    @OptionGroup var options: CommonOptions
    @Option(help: "Stop after this schema version (for an upgrade in steps).") var through: Int?
    @Flag(name: .customLong("dry-run"), help: "Print the migrations that would be applied, with their SQL, and change nothing.") var dryRun = false

    func run() async throws {
        let configuration = try await options.loadConfiguration()
        let through = self.through ?? .max
        let logger = Logger(label: "telltale.cli") { _ in SwiftLogNoOpLogHandler() }
        if dryRun {
            if case .sqlite(let path) = configuration.database, !FileManager.default.fileExists(atPath: path) {
                Console.out("No database at \(path) yet: the first start (or 'telltale migrate') creates it with every migration.")
                return
            }
            do {
                let pending = try await openStore(configuration, logger: logger).whileRunning { store in
                    try await store.pendingMigrations(through: through).map { step in
                        "Would apply \(step.version) \(step.name):\n" + (step.statements.isEmpty ? "    (nothing to change on this database)"
                            : step.statements.map { "    " + $0.replacingOccurrences(of: "\n", with: "\n    ") + ";" }.joined(separator: "\n"))
                    }
                }
                for step in pending { Console.out(step) }
                Console.out(pending.isEmpty ? "Nothing to apply: the database schema is up to date." : "\(pending.count) migrations would be applied; nothing was changed.")
            } catch {
                Console.error("cannot read the schema: \(error)")
                throw ExitCode(1)
            }
            return
        }
        do {
            let applied = try await openStore(configuration, logger: logger).whileRunning { store in try await store.migrate(through: through) }
            for step in applied { Console.out("Applied \(step)") }
            Console.out(through == .max ? "Database schema is up to date." : "Database schema is at version \(through) or later.")
        } catch {
            Console.error("migration failed: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `telltale check`: prints the effective configuration and explains every invalid value.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate and print the effective configuration.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let configuration = try await options.loadConfiguration()
        Console.table(["SETTING", "VALUE"], configuration.report.map { [$0.variable, $0.value] })
        Console.out("\nConfiguration is valid.")
    }
}
