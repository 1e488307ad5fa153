import ArgumentParser
import Foundation
import Logging
import TelltaleApp
import TelltaleIngest
import TelltaleStore

/// `telltale backup --to FILE`: an online copy of the embedded SQLite database while the
/// server keeps running; on PostgreSQL the database is the operator's, and `pg_dump` is the tool.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Back up the SQLite database while Telltale runs (checked before it is reported done).")

    @OptionGroup var options: CommonOptions
    @Option(help: "The backup file to write (must not exist); a name ending in .zst is compressed with Zstandard.") var to: String

    func run() async throws {
        let configuration = try await options.loadConfiguration()
        guard case .sqlite(let path) = configuration.database else {
            Console.error("the database is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file telltale.dump \"$TELLTALE_DATABASE_URL\", and restore with pg_restore")
            throw ExitCode(2)
        }
        do {
            let (report, bytes) = try await BackupFile.make(database: path, to: to, actor: "cli", logger: Logger(label: "telltale.backup") { _ in SwiftLogNoOpLogHandler() })
            let size = to.hasSuffix(".zst") ? "\(report.bytes) bytes, \(bytes) compressed" : "\(report.bytes) bytes"
            Console.out("Backed up \(path) to \(to): \(size), schema version \(report.schemaVersion), integrity ok, in \(String(format: "%.1f", report.seconds)) s.")
            if let keyID = report.secretsKeyID {
                let keyFile = SecretsKeyFile.path(dataDirectory: configuration.dataDirectory)
                let source = configuration.secretsKey == nil ? keyFile : "the secrets.key setting"
                Console.out("Stored secrets in it are sealed under secrets key \(keyID): keep that key (\(source)) safe with the backup, and apart from it.")
            }
        } catch let refusal as SQLiteBackup.Refusal {
            Console.error(refusal.description)
            throw ExitCode(1)
        } catch {
            Console.error("backup failed: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `telltale restore --from FILE`: puts a backup in place as the configured SQLite database,
/// only into an empty data directory and only from a schema this binary knows.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a SQLite backup into an empty data directory.")

    @OptionGroup var options: CommonOptions
    @Option(help: "The backup file written by 'telltale backup'.") var from: String

    func run() async throws {
        let configuration = try await options.loadConfiguration()
        guard case .sqlite(let path) = configuration.database else {
            Console.error("the database is PostgreSQL: restore a pg_dump backup with pg_restore")
            throw ExitCode(2)
        }
        // A compressed backup is expanded beside the system's temporary files, never into the data directory.
        let compressed = ZstdFile.isCompressed(from)
        let source = compressed ? FileManager.default.temporaryDirectory.appendingPathComponent("telltale-restore-\(UUID().uuidString).db").path : from
        defer { if compressed { try? FileManager.default.removeItem(atPath: source) } }
        do {
            if compressed { try ZstdFile.decompress(from, to: source) }
            let report = try await SQLiteBackup.restore(from: source, to: path, logger: Logger(label: "telltale.restore") { _ in SwiftLogNoOpLogHandler() })
            Console.out("Restored \(from) to \(report.path): \(report.bytes) bytes, schema version \(report.schemaVersion), integrity ok. Start Telltale to use it.")
            if let keyID = report.secretsKeyID, configuration.secretsKey?.id != keyID {
                let keyFile = SecretsKeyFile.path(dataDirectory: configuration.dataDirectory)
                Console.out("Its stored secrets are sealed under secrets key \(keyID): put that key in \(keyFile) (or set secrets.key) before starting.")
            }
        } catch let refusal as SQLiteBackup.Refusal {
            Console.error(refusal.description)
            throw ExitCode(1)
        } catch {
            Console.error("restore failed: \(error)")
            throw ExitCode(1)
        }
    }
}
