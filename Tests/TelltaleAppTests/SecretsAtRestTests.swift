import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Secrets of channels, forwarders, monitors and runbooks are sealed under the secrets key:
/// neither the database file nor a backup of it holds them; another key is refused; a rotation
/// re-seals them all and they still work.
@Suite("Secrets at rest")
struct SecretsAtRestTests {
    static let planted = ["whsec-planted-1", "dd-planted-key-0002", "Bearer mon-planted-3", "hunter2-planted-4", "Bearer rb-planted-5", "sign-planted-6"]

    /// Every byte of the SQLite files (database and write-ahead log).
    static func rawBytes(_ database: String) -> Data {
        ["", "-wal"].compactMap { FileManager.default.contents(atPath: database + $0) }.reduce(Data(), +)
    }

    @Test("a database copy without the key reveals none of them; rotation re-seals")
    func sealed() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let tokens = try await MonitorsAPITests.tokens(environment)
                let creations = [
                    ("organizations/default/channels/", #"{"type":"webhook","name":"Ops","config":{"url":"http://127.0.0.1:9/hook","secret":"whsec-planted-1"}}"#),
                    ("projects/default/default/forwarders/", #"{"type":"datadog","config":{"api_key":"dd-planted-key-0002","site":"datadoghq.eu"}}"#),
                    ("organizations/default/monitors/", #"{"name":"API","type":"http","url":"http://127.0.0.1:9/h","headers":{"Authorization":"Bearer mon-planted-3"},"body":"password=hunter2-planted-4"}"#),
                    ("organizations/default/runbooks/", #"{"name":"Fix","steps":[{"type":"http","method":"POST","url":"http://127.0.0.1:9/x","headers":{"Authorization":"Bearer rb-planted-5"},"secret":"sign-planted-6"}]}"#),
                ]
                for (path, body) in creations {
                    let created = try await client.api(path, .post, tokens.admin, body)
                    #expect(created.0 == .created, "\(path): \(created.1)")
                }
                let database = try #require(environment.url.split(separator: "sqlite://").last.map(String.init))
                let raw = Self.rawBytes(database)
                for secret in Self.planted { #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is in the database file") }
                let backup = environment.dataDirectory + "/copy.db"
                _ = try await SQLiteBackup.backup(database: database, to: backup, actor: "test", logger: TestDatabase.logger)
                let copied = try #require(FileManager.default.contents(atPath: backup))
                for secret in Self.planted { #expect(copied.range(of: Data(secret.utf8)) == nil, "\(secret) is in the backup") }

                // The server still reads them: the monitor shows its URL, the channel works as configured.
                #expect(try await client.api("organizations/default/monitors/", .get, tokens.admin).1.contains("127.0.0.1:9"))
            }

            let key = try SecretsKeyFile.loadFile(dataDirectory: environment.dataDirectory, logger: TestDatabase.logger).key
            let store = try await environment.openStore()
            try await store.whileRunning { store in
                // Another key is refused, naming both keys, and changes nothing.
                let stranger = SecretsKey.generate()
                await #expect(throws: SecretsKeyMismatch.self) { try await store.adoptSecretsKey(stranger) }
                // Rotation: every value re-sealed under the new key, each still opening to what was planted.
                let next = SecretsKey.generate()
                #expect(try await store.adoptSecretsKey(next, previous: [key]) == 4)
                let rotated = SecretCipher()
                rotated.use(next)
                let organization = try #require(try await store.repositories.organizations.all().first)
                let channel = try #require(try await store.repositories.alerts.channels(organizationID: organization.id).first)
                #expect("\(channel.config)".contains("whsec-planted-1"))
                let monitor = try #require(try await store.repositories.monitors.monitors(organizationID: organization.id).first)
                #expect("\(monitor.target)".contains("mon-planted-3"))
                let runbook = try #require(try await store.repositories.incidents.runbooks(organizationID: organization.id).first)
                guard case .http(let call) = runbook.draft.steps[0] else { Issue.record("not an HTTP step"); return }
                #expect(try rotated.open(try #require(call.headers["Authorization"])) == "Bearer rb-planted-5")
                #expect(try rotated.open(try #require(call.secret)) == "sign-planted-6")
                // And the old key alone no longer opens anything.
                let old = SecretCipher()
                old.use(key)
                #expect(throws: SecretCipher.Failure.self) { try old.open(try #require(call.secret)) }
            }
        }
    }
}
