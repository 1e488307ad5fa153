import Foundation
import Testing
@testable import TelltaleCore

@Suite("Backup plan")
struct BackupPlanTests {
    let plan = BackupPlan(interval: 3_600, keep: 3, compress: true)

    @Test("names sort as times do, in UTC, and read back to the second")
    func names() {
        let date = Date(timeIntervalSince1970: 1_796_480_580)  // 2026-12-05 14:23:00 UTC
        #expect(plan.fileName(at: date) == "telltale-20261205-142300.db.zst")
        #expect(BackupPlan(interval: 60, keep: 1, compress: false).fileName(at: Date(timeIntervalSince1970: 951_782_399)) == "telltale-20000228-235959.db")
        #expect(BackupPlan.date(of: "telltale-20261205-142300.db.zst") == date)
        #expect(BackupPlan.date(of: "telltale-20240229-000000.db") == Date(timeIntervalSince1970: 1_709_164_800))
        for foreign in ["notes.txt", "telltale-2026-12-05.db", "telltale-20261305-000000.db", ".telltale-backup-1.db", "telltale-20261205-142300.sql"] {
            #expect(BackupPlan.date(of: foreign) == nil, "\(foreign)")
        }
    }

    @Test("due when nothing is there or the newest is an interval old")
    func due() {
        let now = Date(timeIntervalSince1970: 1_796_475_780)
        #expect(plan.isDue(now: now, existing: []))
        #expect(plan.isDue(now: now, existing: ["notes.txt"]))
        #expect(!plan.isDue(now: now, existing: [plan.fileName(at: now.addingTimeInterval(-3_599))]))
        #expect(plan.isDue(now: now, existing: [plan.fileName(at: now.addingTimeInterval(-3_600)), plan.fileName(at: now.addingTimeInterval(-7_200))]))
    }

    @Test("the newest few stay; files it did not name are never deleted")
    func pruning() {
        let start = Date(timeIntervalSince1970: 1_796_475_780)
        let names = (0..<5).map { plan.fileName(at: start.addingTimeInterval(Double($0) * 3_600)) }
        #expect(plan.toDelete(existing: names.shuffled() + ["notes.txt"]).sorted() == Array(names.prefix(2)))
        #expect(plan.toDelete(existing: Array(names.prefix(3))).isEmpty)
        #expect(BackupPlan(interval: 1, keep: 0, compress: false).keep == 1)
    }
}
