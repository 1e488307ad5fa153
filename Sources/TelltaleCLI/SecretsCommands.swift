import ArgumentParser
import Foundation
import Logging
import TelltaleApp
import TelltaleStore

/// `telltale secrets rotate`: seals every stored secret under a new key. Run it with Telltale
/// stopped (every node): a node still holding the old key cannot open what is sealed anew.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secrets", abstract: "Manage the key that seals stored secrets.",
                                                    subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Re-seal every stored secret under a new secrets key (stop Telltale first).",
            discussion: """
                With the key in the data directory, the new key replaces it (the old one is kept as secrets.key.previous). \
                With secrets.key in the configuration, the new key is printed: put it there on every node before starting.
                """)

        @OptionGroup var options: CommonOptions
        @Option(help: "The new key (32 bytes as base64); a random one by default.") var newKey: String?

        func run() async throws {
            let configuration = try await options.loadConfiguration()
            let logger = Logger(label: "telltale.secrets") { _ in SwiftLogNoOpLogHandler() }
            let next: SecretsKey
            do { next = try newKey.map { try SecretsKey(base64: $0) } ?? .generate() } catch {
                Console.error("\(error)")
                throw ExitCode(2)
            }
            do {
                let current = try SecretsKeyFile.load(configuration, logger: logger)
                guard next.id != current.key.id else {
                    Console.error("the new key is the key in use")
                    throw ExitCode(2)
                }
                // The new key is on disk before the database depends on it; `finish` puts it in place.
                if let path = current.path { try SecretsKeyFile.stage(next, at: path) }
                let resealed = try await openStore(configuration, logger: logger).whileRunning { store in
                    try await store.adoptSecretsKey(next, previous: [current.key] + current.previous)
                }
                var rotated = current
                rotated.key = next
                try rotated.finish()
                if let path = current.path {
                    Console.out("Re-sealed \(resealed) stored secrets under key \(next.id), now in \(path) (the old key is in \(path).previous).")
                } else {
                    Console.out("Re-sealed \(resealed) stored secrets under key \(next.id). Set secrets.key to this on every node before starting Telltale:")
                    Console.out(next.base64)
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                // The database is unchanged (one transaction): the staged key must not be taken up at the next start.
                if configuration.secretsKey == nil { try? FileManager.default.removeItem(atPath: SecretsKeyFile.path(dataDirectory: configuration.dataDirectory) + ".next") }
                Console.error("rotation failed: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
