import Foundation
import Logging
import Synchronization
import Testing
@testable import TelltaleApp
import TelltaleCore
import TelltaleIngest
import TelltaleStore
import TelltaleTestSupport

/// Scheduled backups on a clock the test moves: one per interval, the oldest deleted beyond
/// the count kept, each a database that restores.
@Suite("Scheduled backups")
struct ScheduledBackupTests {
    @Test("a backup each interval, compressed, the newest two kept, each restorable")
    func schedule() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backups-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let databaseFolder = FileManager.default.temporaryDirectory.appendingPathComponent("db-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: databaseFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: databaseFolder) }
        let database = databaseFolder + "/telltale.db"
        let store = try await Store.open(.sqlite(path: database), logger: TestDatabase.logger)
        try await store.whileRunning { store in
            try await store.migrate()
            _ = try await store.repositories.organizations.create(slug: Slug("acme"), name: "Acme")
        }
        let clock = Mutex(Date(timeIntervalSince1970: 1_796_480_580))
        let backups = ScheduledBackups(plan: BackupPlan(interval: 3_600, keep: 2, compress: true), database: database, folder: folder,
                                       logger: TestDatabase.logger, now: { clock.withLock { $0 } })
        func advance(_ seconds: TimeInterval) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

        let first = try #require(try await backups.runOnce())
        #expect(first.hasSuffix("telltale-20261205-142300.db.zst"))
        advance(1_800)
        #expect(try await backups.runOnce() == nil)
        advance(1_800)
        let second = try #require(try await backups.runOnce())
        advance(3_600)
        let third = try #require(try await backups.runOnce())
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(kept == [(second as NSString).lastPathComponent, (third as NSString).lastPathComponent])

        // What it wrote restores: the organization is there.
        let restoredFolder = FileManager.default.temporaryDirectory.appendingPathComponent("restored-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: restoredFolder) }
        let expanded = folder + "/expanded.db"
        try ZstdFile.decompress(third, to: expanded)
        _ = try await SQLiteBackup.restore(from: expanded, to: restoredFolder + "/telltale.db", logger: TestDatabase.logger)
        let restored = try await Store.open(.sqlite(path: restoredFolder + "/telltale.db"), logger: TestDatabase.logger)
        try await restored.whileRunning { restored in
            let organizations = try await restored.repositories.organizations.all()
            #expect(organizations.contains { $0.slug.rawValue == "acme" })
        }
    }
}
