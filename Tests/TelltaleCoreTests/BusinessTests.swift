import Foundation
import Testing
import SentryProtocol
import TelltaleCore

/// Workflows, their validation and matching, the compliance score and revenue at risk, as pure
/// arithmetic on constructed figures.
@Suite("Business insight (pure)")
struct BusinessTests {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T { try JSONDecoder().decode(type, from: Data(json.utf8)) }

    @Test("a workflow in the issue's shape reads back the same; bad weights, targets and empty matches are refused naming the field")
    func workflowShape() throws {
        let json = #"{"name": "Booking", "weight": 25, "target": 95, "match": {"transactions": ["POST /book"], "endpoints": ["/api/bookings/*"], "tags": {"workflow": "booking"}, "events": ["booking_completed"]}, "value_per_failure": 40}"#
        let draft = try Self.decode(WorkflowDraft.self, json)
        #expect(draft.weight == 25 && draft.target == 95 && draft.valuePerFailure == 40 && draft.match.tags == ["workflow": "booking"])
        #expect(try JSONDecoder().decode(WorkflowDraft.self, from: JSONEncoder().encode(draft)) == draft)
        for (bad, field) in [(#"{"name": "", "weight": 10, "match": {"tags": {"workflow": "x"}}}"#, "name"),
                             (#"{"name": "A", "weight": 0, "match": {"tags": {"workflow": "x"}}}"#, "weight"),
                             (#"{"name": "A", "weight": 120, "match": {"tags": {"workflow": "x"}}}"#, "weight"),
                             (#"{"name": "A", "weight": 10, "target": 101, "match": {"tags": {"workflow": "x"}}}"#, "target"),
                             (#"{"name": "A", "weight": 10, "match": {}}"#, "match"),
                             (#"{"name": "A", "weight": 10, "match": {"tags": {"workflow": "x"}}, "value_per_failure": -1}"#, "value_per_failure")] {
            #expect(performing: { try Self.decode(WorkflowDraft.self, bad) }, throws: { ($0 as? ValidationError)?.field == field })
        }
    }

    @Test("a set replaced at once weighs exactly 100 %; one added may leave it short but never over; names are unique")
    func weights() throws {
        #expect(throws: Never.self) { try WorkflowSet.validateComplete(WorkflowTemplates.booking) }
        #expect(throws: Never.self) { try WorkflowSet.validateComplete(WorkflowTemplates.wedding) }
        #expect(WorkflowTemplates.booking.map(\.weight) == [25, 25, 15, 10, 10, 10, 5])
        let short = Array(WorkflowTemplates.booking.dropLast())
        #expect(performing: { try WorkflowSet.validateComplete(short) }, throws: { ($0 as? ValidationError)?.reason.contains("sum to 95") == true })
        #expect(throws: Never.self) { try WorkflowSet.validatePartial(short) }
        var over = WorkflowTemplates.booking
        over[6].weight = 6
        #expect(performing: { try WorkflowSet.validatePartial(over) }, throws: { ($0 as? ValidationError)?.reason.contains("101") == true })
        var twice = short
        twice.append(short[0])
        twice[6].weight = 0.5
        #expect(performing: { try WorkflowSet.validatePartial(twice) }, throws: { ($0 as? ValidationError)?.field == "name" })
    }

    @Test("transactions by name, endpoints by pattern with or without the method, issues by tag")
    func matching() {
        let match = WorkflowMatch(transactions: ["checkout"], endpoints: ["/api/bookings/*", "/book"], tags: ["workflow": "booking"])
        #expect(match.matches(transaction: "checkout"))
        #expect(match.matches(transaction: "/api/bookings/{id}"))
        #expect(match.matches(transaction: "POST /api/bookings/{id}/confirm"))
        #expect(match.matches(transaction: "GET /book"))
        #expect(!match.matches(transaction: "/book/extra"))
        #expect(!match.matches(transaction: "/api/booking"))
        #expect(WorkflowMatch(endpoints: ["/a/*/c"]).matches(transaction: "/a/b/c") && !WorkflowMatch(endpoints: ["/a/*/c"]).matches(transaction: "/a/b/d"))
        #expect(match.matches(tags: ["workflow": ["payment", "booking"]]))
        #expect(!match.matches(tags: ["workflow": ["payment"], "booking": ["workflow"]]))
    }

    @Test("compliance weighs each workflow's success against its target; revenue is what errors sent plus the value of the rest")
    func arithmetic() {
        // Booking 25 %: 940 of 1000 against 95 % → 0.94 / 0.95; payment 25 %: 990 of 1000 against
        // 98 % → in full; clients 15 %: no attempts → left out.
        var booking = WorkflowFigures(name: "Booking", weight: 25, target: 95)
        booking.attempts = 1000
        booking.failures = 60
        var payment = WorkflowFigures(name: "Payment", weight: 25, target: 98)
        payment.attempts = 1000
        payment.failures = 10
        let clients = WorkflowFigures(name: "Clients", weight: 15, target: 95)
        #expect(booking.successRate == 94 && booking.meetsTarget == false && payment.meetsTarget == true && clients.successRate == nil)
        let bookingShare: Double = 25 * (94.0 / 95.0)
        let expected: Double = 100 * (bookingShare + 25) / 50
        let score: Double = WorkflowScore.compliance([booking, payment, clients]) ?? 0
        #expect(abs(score - expected) < 1e-9)
        #expect(WorkflowScore.compliance([clients]) == nil)
        // 12 events, 2 of which sent 500 and 250: 750 + 10 × 40.
        #expect(WorkflowScore.revenue(events: 12, eventsWithRevenue: 2, revenueSent: 750, valuePerFailure: 40) == 1150)
        #expect(WorkflowScore.revenue(events: 3, eventsWithRevenue: 0, revenueSent: 0, valuePerFailure: 0) == 0)
    }

    @Test("business settings default to the seed's targets and refuse a bad currency or target")
    func settings() throws {
        let defaults = try Self.decode(BusinessSettings.self, "{}")
        #expect(defaults == BusinessSettings() && defaults.complianceTarget == 90 && defaults.errorRateTargets.critical == 0.01
                && defaults.resolveTargetsMinutes.minutes(for: .critical) == 15 && defaults.resolveTargetsMinutes.minutes(for: .low) == 1440)
        #expect(try Self.decode(BusinessSettings.self, #"{"currency": "eur"}"#).currency == "EUR")
        #expect(throws: ValidationError.self) { try Self.decode(BusinessSettings.self, #"{"currency": "euro"}"#) }
        #expect(throws: ValidationError.self) { try Self.decode(BusinessSettings.self, #"{"compliance_target": 0}"#) }
    }

    @Test("revenue_at_risk conditions read and write back, and refuse a missing amount")
    func revenueCondition() throws {
        let condition = try Self.decode(AlertCondition.self, #"{"type": "revenue_at_risk", "amount": 1000}"#)
        #expect(condition == .revenueAtRisk(amount: 1000, windowSeconds: 3600))
        #expect(try JSONDecoder().decode(AlertCondition.self, from: JSONEncoder().encode(condition)) == condition)
        #expect(throws: ValidationError.self) { try Self.decode(AlertCondition.self, #"{"type": "revenue_at_risk"}"#) }
        #expect(throws: ValidationError.self) { try Self.decode(AlertCondition.self, #"{"type": "revenue_at_risk", "amount": 5, "window_seconds": 10}"#) }
    }
}

extension BusinessTests {
    @Test("service levels: error rates over requests and mean times to resolve per severity against the targets")
    func serviceLevels() {
        var figures = ServiceLevelFigures()
        figures.requests = 20_000
        figures.errors = 10          // 0.05 % ≤ 0.1 %: holds
        figures.criticalErrors = 4   // 0.02 % > 0.01 %: does not hold
        figures.revenueBlockingErrors = 0
        figures.resolveMinutes = [.critical: [10, 30], .high: [45]]  // 20 min > 15; 45 ≤ 60
        let levels = ServiceLevels.evaluate(figures, settings: BusinessSettings())
        #expect(levels.map(\.name) == ["Error rate", "Critical error rate", "Revenue-blocking error rate", "Time to resolve, critical",
                                       "Time to resolve, high", "Time to resolve, medium", "Time to resolve, low"])
        #expect(levels[0].actual == 0.05 && levels[0].holds == true && levels[0].detail == "10 errors in 20000 requests")
        #expect(levels[1].actual == 0.02 && levels[1].holds == false)
        #expect(levels[2].actual == 0 && levels[2].holds == true, "0 % revenue-blocking holds only at none")
        #expect(levels[3].actual == 20 && levels[3].holds == false && levels[4].actual == 45 && levels[4].holds == true)
        #expect(levels[5].holds == nil && levels[5].detail == "no medium issue resolved")
        var none = ServiceLevelFigures()
        none.errors = 3
        #expect(ServiceLevels.evaluate(none, settings: BusinessSettings())[0].holds == nil)
    }
}

extension BusinessTests {
    @Test("business events: one, a list or {events}; user ids hashed; bad names, values, times and big property bags refused")
    func events() throws {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let parse = { (text: String) throws(BusinessEvent.Problem) -> [BusinessEvent] in
            let body: JSONValue
            do { body = try JSONParser.parse(Array(text.utf8)) } catch { throw .invalid(ValidationError(field: "body", reason: "not JSON")) }
            return try BusinessEvent.parse(body, now: now) { "h(\($0))" }
        }
        let one = try parse(#"{"id": "e1", "name": "signup", "user_id": 42, "properties": {"source": "ads"}, "value": 9.5, "timestamp": 1789990000}"#)
        #expect(one == [BusinessEvent(id: "e1", name: "signup", userHash: "h(42)", properties: .object(["source": .string("ads")]), value: 9.5, timestamp: 1_789_990_000)])
        #expect(try parse(#"[{"name": "a"}, {"name": "b"}]"#).map(\.name) == ["a", "b"])
        #expect(try parse(#"{"events": [{"name": "a"}]}"#).first?.timestamp == now.timeIntervalSince1970)
        func refused(_ text: String, _ field: String) {
            #expect("\(text)", performing: { try parse(text) }, throws: { error in
                if case .invalid(let problem)? = error as? BusinessEvent.Problem { problem.field == field } else { false }
            })
        }
        refused(#"{"name": ""}"#, "events[0].name")
        refused(#"[{"name": "a"}, {"name": "b", "value": "ten"}]"#, "events[1].value")
        refused(#"{"name": "a", "timestamp": 1000}"#, "events[0].timestamp")
        refused(#"{"name": "a", "properties": [1]}"#, "events[0].properties")
        refused(#"[]"#, "events")
        let big = String(repeating: "x", count: 20_000)
        #expect(performing: { try parse(#"{"name": "a", "properties": {"blob": "\#(big)"}}"#) },
                throws: { if case .tooLarge(let reason)? = $0 as? BusinessEvent.Problem { reason.hasPrefix("events[0].properties is 20011 bytes") } else { false } })
    }

    @Test("weeks start on Monday 00:00 UTC; the churn signal counts users whose events fell by more than the threshold")
    func churn() {
        // 2026-12-03 (a Thursday) 15:00 UTC → Monday 2026-11-30.
        #expect(BusinessWeek.start(1_796_310_000_000) == 1_795_996_800_000)
        #expect(BusinessWeek.start(1_795_996_800_000) == 1_795_996_800_000)
        let signal = ChurnSignal.compute(previous: ["a": 4, "b": 4, "c": 4, "d": 4], latest: ["a": 4, "b": 1, "d": 2, "e": 9], dropPercent: 50)
        #expect(signal.previousWeekUsers == 4 && signal.droppedUsers == 2 && signal.rate == 0.5, "b fell to a quarter, c stopped; d halved exactly")
        #expect(ChurnSignal.compute(previous: [:], latest: ["a": 1]).rate == nil)
    }

    @Test("a business event reports a failed operation by success false, or an outcome or status of failed, failure or error")
    func failedEvents() {
        func event(_ properties: JSONValue) -> BusinessEvent { BusinessEvent(name: "booking", properties: properties, timestamp: 0) }
        #expect(event(.object(["success": .bool(false)])).failed)
        #expect(event(.object(["outcome": .string("Failed")])).failed && event(.object(["status": .string("error")])).failed)
        #expect(!event(.object(["success": .bool(true)])).failed && !event(.object(["outcome": .string("ok")])).failed && !event(.object([:])).failed)
    }
}
