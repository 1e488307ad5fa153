import ArgumentParser
import Configuration
import Foundation
import Logging
import TelltaleApp
import TelltaleCore
import TelltaleStore

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "JSON configuration file; TELLTALE_* environment variables override it.")
    var config: String?

    /// The validated configuration, or exit 2 with one line per problem.
    func loadConfiguration() async throws -> AppConfiguration {
        let reader: ConfigReader
        do {
            reader = try await AppConfiguration.reader(configFile: config)
        } catch {
            Console.error("cannot read configuration file '\(config ?? "")': \(error)")
            throw ExitCode(2)
        }
        do {
            return try AppConfiguration(reader: reader)
        } catch {
            Console.error("invalid configuration: \(error.problems.map(\.description).joined(separator: "; "))")
            throw ExitCode(2)
        }
    }

    /// Runs `body` against the migrated database the configuration names.
    func withAccounts<Result: Sendable>(_ body: @Sendable (AccountService, Repositories, AppConfiguration) async throws -> Result) async throws -> Result {
        let configuration = try await loadConfiguration()
        let logger = Logger(label: "telltale.cli") { _ in SwiftLogNoOpLogHandler() }
        do {
            let store = try await openStore(configuration, logger: logger)
            return try await store.whileRunning { store in
                try await store.migrate()
                // Settings this command writes are sealed under the server's key.
                try await store.adoptSecretsKey(from: configuration, logger: logger)
                let accounts = AccountService(repositories: store.repositories, passwords: BcryptPasswordHasher(), digester: SHA256SecretDigester())
                return try await body(accounts, store.repositories, configuration)
            }
        } catch let error as DomainError {
            Console.error(error.description)
            throw ExitCode(1)
        } catch let error as ExitCode {
            throw error
        } catch let error as IncidentConflict {
            Console.error(error.description)
            throw ExitCode(1)
        } catch let error as ArgumentParser.ValidationError {
            throw error
        } catch let error as SecretsKeyMismatch {
            Console.error(error.description)
            throw ExitCode(1)
        } catch {
            Console.error("database error: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Writing to the terminal.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("telltale: \(message)\n".utf8))
    }

    static func out(_ message: String) {
        FileHandle.standardOutput.write(Data((message + "\n").utf8))
    }

    /// Left-aligned columns for list output.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            out(row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  "))
        }
    }
}
