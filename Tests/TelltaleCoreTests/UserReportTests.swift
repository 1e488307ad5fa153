import Foundation
import Testing
import TelltaleCore

/// User reports as pure rules: the shape and its checks, screenshots proven by their bytes,
/// and triage changes that must make sense.
@Suite("User reports (pure)")
struct UserReportTests {
    static func decode(_ json: String) throws -> UserReportDraft { try JSONDecoder().decode(UserReportDraft.self, from: Data(json.utf8)) }

    @Test("a report in the issue's shape reads back; defaults fill type, priority and reporter; a title comes from the description when missing")
    func shape() throws {
        let full = try Self.decode(#"{"type": "ui_issue", "priority": "critical", "title": "  Button hidden ", "description": "<b>x</b>", "steps": "1", "expected": "2", "actual": "3", "reporter_type": "staff", "name": "Ana", "email": "ana@example.com", "url": "https://x.test/a", "event_id": "0123456789ABCDEF0123456789abcdef"}"#)
        #expect(full.type == .uiIssue && full.priority == .critical && full.reporterType == .staff && full.title == "Button hidden" && full.description == "<b>x</b>")
        #expect(try JSONDecoder().decode(UserReportDraft.self, from: JSONEncoder().encode(full)) == full)
        let bare = try Self.decode(#"{"description": "The invoice page shows yesterday's totals\nand more"}"#)
        #expect(bare.type == .bug && bare.priority == .medium && bare.reporterType == .customer && bare.title == "The invoice page shows yesterday's totals")
        #expect(UserReportDraft.titleFrom(String(repeating: "a", count: 100)).count == 80)
    }

    @Test("unknown kinds, priorities and reporters, empty text, bad emails and event ids are refused naming the field")
    func refusals() {
        for (json, field) in [(#"{"type": "rant", "description": "x"}"#, "type"), (#"{"priority": "urgent", "description": "x"}"#, "priority"),
                              (#"{"reporter_type": "bot", "description": "x"}"#, "reporter_type"), (#"{"title": "t"}"#, "description"),
                              (#"{"description": "x", "email": "ana at example"}"#, "email"), (#"{"description": "x", "email": "<a@b.c>"}"#, "email"),
                              (#"{"description": "x", "event_id": "not-an-id"}"#, "event_id"),
                              (#"{"description": "x", "title": "\#(String(repeating: "t", count: 201))"}"#, "title")] {
            #expect(performing: { try Self.decode(json) }, throws: { ($0 as? ValidationError)?.field == field })
        }
    }

    @Test("screenshots are PNG or JPEG by their first bytes, whatever they claim, and at most 5 MB")
    func screenshots() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]
        #expect(try Screenshot.check(png, index: 0) == "image/png")
        #expect(try Screenshot.check([0xFF, 0xD8, 0xFF, 0xE0, 1, 2], index: 1) == "image/jpeg")
        for bad in [Array("<svg onload=alert(1)>".utf8), Array("GIF89a....".utf8), [0x89, 0x50, 0x4E], []] {
            #expect(performing: { try Screenshot.check(bad, index: 2) }, throws: { ($0 as? ValidationError)?.field == "screenshots[2]" })
        }
        let huge = png + [UInt8](repeating: 0, count: Screenshot.maxBytes)
        #expect(performing: { try Screenshot.check(huge, index: 0) }, throws: { ($0 as? ValidationError)?.reason.contains("at most") == true })
    }

    @Test("a duplicate names another report; only a duplicate does; final statuses are resolved, closed and duplicate")
    func triage() {
        #expect(performing: { try UserReportChange(status: .duplicate).validate(reportID: 4) }, throws: { ($0 as? ValidationError)?.field == "duplicate_of" })
        #expect(performing: { try UserReportChange(status: .duplicate, duplicateOf: 4).validate(reportID: 4) }, throws: { ($0 as? ValidationError)?.reason == "must be another report" })
        #expect(performing: { try UserReportChange(status: .open, duplicateOf: 2).validate(reportID: 4) }, throws: { ($0 as? ValidationError)?.field == "duplicate_of" })
        #expect(throws: Never.self) { try UserReportChange(status: .duplicate, duplicateOf: 2).validate(reportID: 4) }
        #expect(UserReport.Status.allCases.filter(\.isFinal) == [.resolved, .closed, .duplicate])
        #expect(UserReport.Priority.high.severity == .high && UserReport.Priority.low < .critical)
    }
}
