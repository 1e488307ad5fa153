import Foundation
import SentryProtocol
import TelltaleCore
import TelltaleHTTP
import Testing
@testable import TelltaleWeb

/// Event data reaches the page as text: `<script>` in a message, tags, frames, breadcrumbs,
/// request or contexts never becomes markup.
@Suite("Templates")
struct TemplateEscapingTests {
    static let hostile = "<script>alert('x')</script>"

    static func event() throws -> JSONValue {
        let h = hostile
        return try JSONParser.parse(Array("""
        {"logentry": {"formatted": "\(h)"},
         "exception": {"values": [
           {"type": "KeyError", "value": "\(h)", "stacktrace": {"frames": [{"filename": "lib/\(h).py", "function": "\(h)", "in_app": false}]}},
           {"type": "\(h)", "value": "boom \(h)", "mechanism": {"type": "generic", "handled": false},
            "stacktrace": {"frames": [
              {"filename": "site-packages/flask/app.py", "function": "dispatch", "lineno": 10, "in_app": false},
              {"filename": "site-packages/flask/app.py", "function": "wsgi", "lineno": 20, "in_app": false},
              {"filename": "app/\(h).py", "function": "handle\(h)", "lineno": 7, "in_app": true,
               "pre_context": ["def handle():", "  # \(h)"], "context_line": "  raise Error('\(h)')", "post_context": ["after()"],
               "vars": {"\(h)": "\(h)"}}]}}]},
         "breadcrumbs": {"values": [{"timestamp": 1764000000.5, "category": "\(h)", "message": "\(h)", "data": {"k": "\(h)"}}]},
         "tags": {"\(h)": "\(h)"},
         "user": {"email": "\(h)"},
         "request": {"url": "http://x/\(h)", "method": "GET", "headers": {"X": "\(h)"}},
         "contexts": {"\(h)": {"k": "\(h)"}},
         "release": "\(h)", "environment": "\(h)"}
        """.utf8))
    }

    @Test("hostile event data renders as text in the event view")
    func eventIsEscaped() throws {
        let templates = try WebTemplates()
        let view = EventView(try Self.event(), eventID: "abc", timestamp: Date(timeIntervalSince1970: 1_764_000_000))
        let html = templates.render("event", view)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        // Chained exceptions: the raised one first, its cause after.
        let raised = try #require(html.range(of: "boom "))
        let cause = try #require(html.range(of: "Caused by"))
        #expect(raised.lowerBound < cause.lowerBound)
        // The in-app frame is open with its failing line marked; library frames are folded.
        #expect(html.contains(#"<li class="frame in-app">"#))
        #expect(html.contains(#"<tr class="current"><td class="ln">7</td>"#))
        #expect(html.contains("2 library frames"))
    }

    @Test("frames are most recent first and consecutive library frames fold together")
    func frameGroups() throws {
        let view = EventView(try Self.event(), eventID: "abc", timestamp: Date())
        let groups = try #require(view.exceptions.first).groups
        #expect(groups.map(\.inApp) == [true, false])
        #expect(groups[1].frames.map(\.function) == ["wsgi", "dispatch"])
        #expect(groups[0].frames[0].lines.map(\.number) == [5, 6, 7, 8])
    }

    @Test("the issue row escapes titles and culprits; sparklines are numbers only")
    func rowIsEscaped() throws {
        let templates = try WebTemplates()
        let row = IssueRowView(id: 1, href: "/x", title: Self.hostile, culprit: Self.hostile, level: "error", status: "new", severity: Self.hostile,
                               project: "p", events: "1", eventsExact: 1, users: "0", firstSeen: "now", firstSeenISO: "", lastSeen: "now",
                               lastSeenISO: "", sparkline: Charts.sparkline(.init(points: [(start: 0, count: 3), (start: 3600, count: 0)])),
                               assignee: Self.hostile, isRegressed: false)
        let html = templates.render("issue_rows", ["rows": [row]])
        #expect(!html.contains("<script"))
        #expect(html.contains("<svg class=\"spark\""))
    }

    @Test("sign-in redirects stay on this site")
    func safeNext() {
        #expect(Dashboard.safeNext("/organizations/a/issues/?q=1") == "/organizations/a/issues/?q=1")
        #expect(Dashboard.safeNext("//evil.example/") == "/")
        #expect(Dashboard.safeNext("https://evil.example/") == "/")
        #expect(Dashboard.safeNext("/\\evil.example") == "/")
        #expect(Dashboard.safeNext(nil) == "/")
    }

    @Test("form bodies decode plus signs and percent escapes")
    func form() {
        let form = Form(encoded: "query=is%3Aunresolved+level%3Aerror&id=1&id=2&empty=")
        #expect(form["query"] == "is:unresolved level:error")
        #expect(form.all("id") == ["1", "2"])
        #expect(form.text("empty") == nil)
    }
}
