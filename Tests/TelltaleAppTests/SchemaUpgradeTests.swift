import Foundation
import Testing
import TelltaleCore
import TelltaleIngest
import TelltaleStore
import TelltaleTestSupport

/// Each released schema's database (Tests/Fixtures/schemas, written by
/// scripts/make-schema-fixtures.py) migrates in place to the current schema with its rows
/// intact: accounts, keys, issues, events in the payload format of their time, and monitors,
/// channels and runbooks whose plain secrets are sealed on the first start.
@Suite("Upgrading released schemas")
struct SchemaUpgradeTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas")

    static var versions: [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .compactMap { name in name.hasPrefix("v") && name.hasSuffix(".db.zst") ? Int(name.dropFirst().dropLast(7)) : nil }.sorted()
    }

    @Test("the fixtures cover the released schemas")
    func fixtures() {
        #expect(Self.versions.count >= 4 && Self.versions.last == 23, "\(Self.versions)")
    }

    @Test("a released schema's database upgrades with its data intact", arguments: versions)
    func upgrades(version: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-upgrade-\(SecretGenerator.hex(byteCount: 6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("telltale.db").path
        try ZstdFile.decompress(Self.folder.appendingPathComponent("v\(version).db.zst").path, to: path)

        let store = try await Store.open(.sqlite(path: path), logger: TestDatabase.logger)
        try await store.whileRunning { store in
            #expect(try await store.schemaStatus().databaseVersion == version)
            let applied = try await store.migrate()
            #expect(applied.count == (try await store.schemaStatus().binaryVersion) - version, "\(applied)")
            #expect(try await store.schemaStatus().isCurrent)
            // Plain secrets of the time are sealed now: the monitor (7+), the channel (9+), the runbook (11+).
            let expectedSealed = [7, 9, 11].filter { version >= $0 }.count
            #expect(try await store.adoptSecretsKey(.generate()) == expectedSealed)

            let repositories = store.repositories
            let organization = try #require(try await repositories.organizations.all().first)
            #expect(organization.slug.rawValue == "acme")
            let project = try #require(try await repositories.projects.project(id: ProjectID(1)))
            #expect(project.slug.rawValue == "shop")
            #expect(try await repositories.projects.keys(projectID: project.id).map(\.publicKey) == [String(repeating: "a", count: 32)])
            let first = try #require(try await repositories.issues.issue(id: 1))
            #expect(first.title == "ZeroDivisionError: division by zero" && first.timesSeen == 3)
            #expect(try await repositories.issues.issue(id: 2)?.timesSeen == 2)
            let event = try #require(try await repositories.events.event(projectID: project.id, eventID: "0001" + String(repeating: "0", count: 28)))
            let payload = String(decoding: try PayloadCompression.decompress(event.compressedPayload), as: UTF8.self)
            #expect(payload.contains("division by zero"), "\(payload)")
            if version >= 7 {
                let monitor = try #require(try await repositories.monitors.monitors(organizationID: organization.id).first)
                #expect("\(monitor.target)".contains("fixture-monitor-secret"))
            }
            if version >= 9 {
                #expect("\(try #require(try await repositories.alerts.channels(organizationID: organization.id).first).config)".contains("fixture-channel-secret"))
            }
            if version >= 11 {
                let runbook = try #require(try await repositories.incidents.runbooks(organizationID: organization.id).first)
                guard case .http(let call) = runbook.draft.steps.first else { Issue.record("the runbook lost its HTTP step"); return }
                #expect(try store.secrets.open(try #require(call.headers["Authorization"])) == "Bearer fixture-runbook-secret")
            }
        }
        // And none of those secrets is left in the file.
        let raw = SecretsAtRestTests.rawBytes(path)
        for secret in ["fixture-monitor-secret", "fixture-channel-secret", "fixture-runbook-secret"] {
            #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is still in the upgraded database")
        }
    }
}
