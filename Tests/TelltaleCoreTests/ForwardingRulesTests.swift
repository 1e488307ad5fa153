import Foundation
import Testing
import TelltaleCore

@Suite("Forwarding rules: filters, settings, batches")
struct ForwardingRulesTests {
    func forwarder(_ id: Int64, project: Int64 = 1, type: ForwarderConfig, filters: ForwarderFilters = ForwarderFilters(), startsAfter: Int64 = 0) -> Forwarder {
        Forwarder(id: ForwarderID(id), organizationID: OrganizationID(1), projectID: ProjectID(project), name: "f\(id)", config: type, filters: filters,
                  enabled: true, startsAfterEvent: startsAfter, createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test("filters by level and environment; sampling is the same decision for the same event and near the rate over many")
    func filters() {
        let filters = ForwarderFilters(minLevel: .error, environments: ["production"], sampleRate: 1)
        #expect(filters.admits(level: .fatal, environment: "production", eventID: "a"))
        #expect(!filters.admits(level: .warning, environment: "production", eventID: "a"))
        #expect(!filters.admits(level: .error, environment: "staging", eventID: "a"))
        #expect(!filters.admits(level: .error, environment: nil, eventID: "a"))
        let sampled = ForwarderFilters(sampleRate: 0.25)
        let ids = (0..<4000).map { String(format: "%032x", $0 &* 2_654_435_761) }
        let admitted = ids.filter { sampled.admits(level: .error, environment: nil, eventID: $0) }.count
        #expect((800...1200).contains(admitted), "\(admitted)")
        #expect(ids.allSatisfy { sampled.admits(level: .error, environment: nil, eventID: $0) == sampled.admits(level: .error, environment: nil, eventID: $0) })
        #expect(throws: ValidationError.self) { try ForwarderFilters(sampleRate: 1.5).validate() }
    }

    @Test("settings are checked per service and every intake follows the documented address unless overridden")
    func settings() throws {
        let sentry = try ForwarderConfig.make(type: .sentry, ["dsn": "https://abcdef0123@o1.ingest.example.com/prefix/77"])
        #expect(sentry.intakeURL == "https://o1.ingest.example.com/prefix/api/77/envelope/")
        #expect(sentry.redacted["dsn"] == "https://…0123@o1.ingest.example.com/77")
        let datadog = try ForwarderConfig.make(type: .datadog, ["api_key": "0123456789abcdef", "site": "datadoghq.eu"])
        #expect(datadog.intakeURL == "https://http-intake.logs.datadoghq.eu/api/v2/logs")
        #expect(datadog.redacted["api_key"] == "…cdef")
        let newRelic = try ForwarderConfig.make(type: .newrelic, ["license_key": "eu01xx0123456789NRAL", "region": "eu"])
        #expect(newRelic.intakeURL == "https://log-api.eu.newrelic.com/log/v1")
        let proxied = try ForwarderConfig.make(type: .newrelic, ["license_key": "eu01xx0123456789NRAL", "url": "http://127.0.0.1:9/nr"])
        #expect(proxied.intakeURL == "http://127.0.0.1:9/nr")
        #expect(throws: ValidationError.self) { try ForwarderConfig.make(type: .datadog, ["api_key": "0123456789abcdef", "site": "example.com"]) }
        #expect(throws: ValidationError.self) { try ForwarderConfig.make(type: .sentry, ["dsn": "https://o1.example.com/77"]) }
        #expect(throws: ValidationError.self) { try ForwarderConfig.make(type: .webhook, [:]) }
    }

    @Test("batches: up to 1,000 events a queued batch; only the forwarder's project, only events after it was made")
    func batches() {
        let candidates = (1...2_600).map { ForwardCandidate(rowID: Int64($0), projectID: ProjectID($0 % 5 == 0 ? 2 : 1), eventID: "e\($0)", level: .error, environment: nil) }
        let forwarders = [
            forwarder(1, type: .sentry(dsn: "https://k@h/1", url: nil), startsAfter: 2_595),
            forwarder(2, type: .webhook(url: "http://h/", secret: nil)),
            forwarder(3, project: 3, type: .webhook(url: "http://h/", secret: nil)),
        ]
        let batches = ForwardPlanner.batches(candidates, forwarders: forwarders)
        let sentry = batches.filter { $0.forwarderID == ForwarderID(1) }
        #expect(sentry.map(\.eventRows) == [[2_596, 2_597, 2_598, 2_599]])
        let hook = batches.filter { $0.forwarderID == ForwarderID(2) }
        #expect(hook.map(\.eventRows.count) == [1_000, 1_000, 80])
        #expect(ForwarderType.sentry.requestSize == 1 && ForwarderType.datadog.requestSize == 500)
        #expect(hook.flatMap(\.eventRows).allSatisfy { $0 % 5 != 0 })
        #expect(!batches.contains { $0.forwarderID == ForwarderID(3) })
    }

    @Test("while ingestion is busy a pass takes the leading events stored by the cutoff, never one past a newer row")
    func dueWhileBusy() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // Two nodes' clocks differ a little, so row order and storage time can disagree.
        let seconds: [Double] = [0, 1, 2, 9, 3, 4]
        let candidates = seconds.enumerated().map { index, offset in
            ForwardCandidate(rowID: Int64(index + 1), projectID: ProjectID(1), eventID: "e\(index)", level: .error, environment: nil,
                             receivedAt: start.addingTimeInterval(offset))
        }
        #expect(ForwardPlanner.due(candidates, storedBy: nil).count == 6)
        #expect(ForwardPlanner.due(candidates, storedBy: start.addingTimeInterval(5)).map(\.rowID) == [1, 2, 3])
        #expect(ForwardPlanner.due(candidates, storedBy: start.addingTimeInterval(-1)).isEmpty)
        #expect(ForwardPlanner.due(candidates, storedBy: start.addingTimeInterval(9)).count == 6)
    }
}
