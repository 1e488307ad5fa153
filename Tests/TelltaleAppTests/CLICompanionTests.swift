import Foundation
import SentryProtocol
import Testing
@testable import TelltaleCLI
import TelltaleCore
import TelltaleIngest

/// The pure parts of the operator commands: SDK snippets, the status screen's layout, key
/// decoding, the metrics reader, and the test event's envelope.
@Suite("CLI companions")
struct CLICompanionTests {
    @Test("each environment gets the recommended sampling and PII settings")
    func recommendations() {
        #expect(SDKSnippet.Settings.recommended(for: "development") == .init(sampleRate: 1, tracesSampleRate: 1, sendDefaultPII: true))
        #expect(SDKSnippet.Settings.recommended(for: "staging") == .init(sampleRate: 1, tracesSampleRate: 0.1, sendDefaultPII: false))
        #expect(SDKSnippet.Settings.recommended(for: "production") == .init(sampleRate: 1, tracesSampleRate: 0.05, sendDefaultPII: false))
        #expect(SDKSnippet.Settings.recommended(for: "eu-prod") == .init(sampleRate: 1, tracesSampleRate: 0.05, sendDefaultPII: false))
    }

    @Test("every platform's snippet carries the DSN and the chosen settings, quoted safely", arguments: SDKSnippet.Platform.allCases)
    func snippets(platform: SDKSnippet.Platform) {
        let snippet = SDKSnippet(platform: platform, dsn: "http://abc@127.0.0.1:8600/3", environment: "staging", release: #"shop@1.0 "beta""#,
                                 settings: .init(sampleRate: 0.25, tracesSampleRate: 0.1, sendDefaultPII: false))
        let text = snippet.text
        #expect(text.contains("http://abc@127.0.0.1:8600/3"))
        #expect(text.contains("0.25") && text.contains("0.1"))
        #expect(text.contains("staging"))
        #expect(text.contains(platform == .php ? #"'shop@1.0 "beta"'"# : #""shop@1.0 \"beta\"""#), "\(text)")
        if platform != .swift { #expect(text.lowercased().contains("false"), "PII off is written out") }
    }

    @Test("rates print as the SDKs write them")
    func numbers() {
        #expect(SDKSnippet.number(1) == "1.0")
        #expect(SDKSnippet.number(0.05) == "0.05")
        #expect(SDKSnippet.number(0.1234) == "0.1234")
        #expect(SDKSnippet.number(0) == "0.0")
    }

    static func snapshot(issues: Int = 3, monitors: [String] = ["up", "down", "paused"]) -> StatusSnapshot {
        StatusSnapshot(
            organization: "acme", server: "http://127.0.0.1:8600", takenAt: Date(timeIntervalSince1970: 1_796_468_000),
            eventsPerMinute: [0, 1, 2, 4, 8, 0, 3],
            newIssues: (1...max(1, issues)).prefix(issues).map {
                .init(id: String($0), project: "shop", title: "ValueError: bad input \($0) " + String(repeating: "x", count: 120), count: "\($0 * 10)",
                      severity: "high", url: "http://127.0.0.1:8600/organizations/acme/issues/\($0)/")
            },
            regressedIssues: [],
            monitors: monitors.enumerated().map { .init(id: String($0.offset + 1), name: "check-\($0.offset + 1)", status: $0.element) },
            incidents: [.init(id: "7", title: "Checkout down", severity: "critical", status: "triggered")],
            ready: true, queueDepth: 2, ingestLatencyMs: 3.25, residentBytes: 80 * 1_048_576, cpuPercent: 12
        )
    }

    @Test("the screen fills the terminal exactly, lines cut to its width", arguments: [(80, 24), (200, 50), (40, 10)])
    func layout(size: (Int, Int)) {
        let frame = StatusScreen(width: size.0, height: size.1, color: false).render(Self.snapshot(), selected: 0, message: "hello")
        #expect(frame.lines.count == size.1)
        #expect(frame.lines.allSatisfy { $0.count <= size.0 }, "\(frame.lines.filter { $0.count > size.0 })")
        #expect(frame.lines[0].hasPrefix("Telltale · acme") && frame.lines[0].hasSuffix("ready · 10:53:20 UTC") || size.0 < 60)
        #expect(frame.lines[size.1 - 2] == "hello")
        #expect(frame.lines.last!.hasPrefix("q quit"))
        if size.1 >= 24 {
            #expect(frame.lines[1].contains("now 3 · 7 min 18"))
            #expect(frame.lines[2] == "Server: queue 2 · ingest 3.2 ms · memory 80 MB · CPU 12 %")
            #expect(frame.lines[3] == "Monitors: 1 down · 1 up · 1 paused")
            #expect(frame.lines.contains { $0.hasPrefix("› #1 shop  ValueError: bad input 1") })
            #expect(frame.lines.contains { $0.contains("#7 [critical] triggered  Checkout down") })
            // Down first; a paused monitor is counted but has nothing to act on.
            let monitors = frame.lines.filter { $0.hasPrefix("  check-") }
            #expect(monitors == ["  check-2  down", "  check-1  up"])
            #expect(frame.actions.count == 3 + 1 + 2)
        }
    }

    @Test("a short terminal shares its rows and says how many are hidden")
    func crowded() {
        let frame = StatusScreen(width: 80, height: 14, color: false).render(Self.snapshot(issues: 12), selected: nil, message: nil)
        #expect(frame.lines.count == 14)
        #expect(frame.lines.contains { $0.hasPrefix("── New issues, 24 h (") && $0.contains("more)") })
        #expect(frame.actions.count < 12 + 1 + 2)
        #expect(StatusScreen.share(3, among: [10, 1, 1]) == [1, 1, 1])
        #expect(StatusScreen.share(10, among: [10, 1, 1]) == [8, 1, 1])
        #expect(StatusScreen.share(0, among: [2, 2]) == [0, 0])
    }

    @Test("colour only when asked, and the plain form lists every row")
    func styles() {
        let colored = StatusScreen(width: 80, height: 24, color: true).render(Self.snapshot(), selected: 1, message: nil)
        #expect(colored.lines[0].hasPrefix("\u{1B}[1m"))
        #expect(colored.lines.contains { $0.hasPrefix("\u{1B}[7m› #2") })
        let plain = StatusScreen.plain(Self.snapshot(issues: 30))
        #expect(!plain.contains("\u{1B}"))
        #expect(plain.components(separatedBy: "ValueError").count - 1 == 30)
        #expect(!plain.contains("q quit"))
    }

    @Test("sparklines scale to the largest minute")
    func sparkline() {
        #expect(StatusScreen.sparkline([0, 7, 14]) == "▁▄█")
        #expect(StatusScreen.sparkline([0, 0]) == "▁▁")
    }

    @Test("keys: arrows, letters, Enter, and escape sequences split across reads")
    func keys() {
        #expect(Terminal.parse(Array("q".utf8))! == (.character("q"), 1))
        #expect(Terminal.parse([0x1B, 0x5B, 0x41])! == (.up, 3))
        #expect(Terminal.parse([0x1B, 0x4F, 0x42])! == (.down, 3))
        #expect(Terminal.parse([0x0D])! == (.enter, 1))
        #expect(Terminal.parse([0x1B]) == nil)
        #expect(Terminal.parse([0x1B, 0x5B]) == nil)
        #expect(Terminal.parse([0x1B, 0x5B, 0x43])! == (nil, 3))
        #expect(Terminal.parse([0x03])! == (.interrupt, 1))
        #expect(Terminal.parse([0x07])! == (nil, 1))
    }

    @Test("the metrics reader takes CPU, memory and both ingest routes' latency from Prometheus text")
    func metrics() {
        let text = """
            # TYPE process_cpu_seconds_total gauge
            process_cpu_seconds_total 12.5
            process_resident_memory_bytes 80330752.0
            telltale_http_request_duration_seconds_sum{route="/api/{project_id}/envelope",method="POST"} 1.5
            telltale_http_request_duration_seconds_count{route="/api/{project_id}/envelope",method="POST"} 300
            telltale_http_request_duration_seconds_sum{route="/api/{project_id}/store",method="POST"} 0.5
            telltale_http_request_duration_seconds_count{route="/api/{project_id}/store",method="POST"} 100
            telltale_http_request_duration_seconds_sum{route="/api/0/organizations",method="GET"} 9
            """
        let metrics = StatusFetcher.Metrics(text)
        #expect(metrics.cpuSeconds == 12.5 && metrics.residentBytes == 80_330_752)
        #expect(metrics.ingestSeconds == 2 && metrics.ingestRequests == 400)
    }

    @Test("the test event is an envelope an SDK would send, with the asked classification as tags")
    func testEvent() throws {
        var test = TestEvent(severity: .critical, impact: .userBlocking)
        test.tags = ["telltale.selftest": "abc"]
        test.detail = "password=hunter2"
        let envelope = try Envelope.parse(test.envelope(eventID: "0123456789abcdef0123456789abcdef", at: Date(timeIntervalSince1970: 1_796_000_000), dsn: nil))
        #expect(envelope.eventID == "0123456789abcdef0123456789abcdef")
        let item = try #require(envelope.items.first)
        #expect(item.type == "event" && envelope.items.count == 1)
        let event = try JSONParser.parse(item.payload)
        #expect(event["tags"]?["severity"]?.stringValue == "critical" && event["tags"]?["business_impact"]?.stringValue == "user_blocking")
        #expect(event["tags"]?["telltale.selftest"]?.stringValue == "abc" && event["tags"]?["category"] == nil)
        #expect(event["exception"]?["values"]?.arrayValue?.first?["value"]?.stringValue?.hasSuffix("password=hunter2") == true)
        #expect(event["breadcrumbs"]?["values"]?.arrayValue?.count == 3)
    }
}
