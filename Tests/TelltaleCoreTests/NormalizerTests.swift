import Foundation
import SentryProtocol
import Testing
import TelltaleCore

@Suite("Event normalization (protocol §6)")
struct NormalizerTests {
    let received = 1_795_000_000.0

    func normalize(_ text: String, envelopeID: String? = nil, sentAt: Double? = nil, ip: String? = "203.0.113.9") throws -> JSONValue {
        try EventNormalizer.normalize(
            JSONParser.parse(Array(text.utf8)),
            context: EventContext(envelopeEventID: envelopeID, receivedAt: received, sentAt: sentAt, clientIP: ip)
        )
    }

    @Test("message string becomes logentry; template params are formatted")
    func messages() throws {
        let plain = try normalize(#"{"message":"hello"}"#)
        #expect(plain["logentry"]?["formatted"]?.stringValue == "hello")
        #expect(plain["message"] == nil)
        let template = try normalize(#"{"logentry":{"message":"order %s for %s","params":[12,"bob"]}}"#)
        #expect(template["logentry"]?["formatted"]?.stringValue == "order 12 for bob")
        #expect(template["logentry"]?["message"]?.stringValue == "order %s for %s")
        let braces = try normalize(#"{"logentry":{"message":"{} of {name}","params":{"name":"x"}}}"#)
        #expect(braces["logentry"]?["formatted"]?.stringValue == "{} of x")
    }

    @Test("shapes: list interfaces, tag pairs, levels, timestamps, {{auto}}")
    func shapes() throws {
        let event = try normalize(#"""
            {"exception":[{"type":"E","value":"v"}],"breadcrumbs":[{"timestamp":1795000000.5,"message":"m","level":"warn"}],
             "tags":[["a",1],["b",true],["bad\nkey","x"]],"level":"critical","timestamp":"2026-11-17T17:54:19.5+01:00",
             "user":{"ip_address":"{{auto}}","id":42}}
            """#)
        #expect(event["exception"]?["values"]?.arrayValue?.count == 1)
        #expect(event["type"]?.stringValue == "error")
        #expect(event["breadcrumbs"]?["values"]?.arrayValue?.first?["level"]?.stringValue == "warning")
        #expect(event["tags"] == .object(["a": .string("1"), "b": .string("True")]))
        #expect(event["level"]?.stringValue == "fatal")
        #expect(event["timestamp"]?.doubleValue == Timestamps.parseRFC3339("2026-11-17T16:54:19.5Z"))
        #expect(event["user"]?["ip_address"]?.stringValue == "203.0.113.9")
        #expect(event["user"]?["id"]?.stringValue == "42")
    }

    @Test("the envelope event id wins; a missing one is generated")
    func eventIDs() throws {
        let fromHeader = try normalize(#"{"event_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#, envelopeID: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
        #expect(fromHeader["event_id"]?.stringValue == "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
        #expect(try normalize("{}")["event_id"]?.stringValue?.count == 32)
    }

    @Test("clock drift of an hour or more is corrected; future events are clamped")
    func drift() throws {
        let shifted = try normalize(#"{"timestamp":1794990000}"#, sentAt: received - 7200)
        #expect(shifted["timestamp"]?.doubleValue == 1_794_997_200)
        #expect(try normalize(#"{"timestamp":1899000000}"#)["timestamp"]?.doubleValue == received)
    }

    @Test("titles and culprits from the fixtures")
    func summaries() throws {
        let context = EventContext(envelopeEventID: nil, receivedAt: received)
        let chained = EventNormalizer.summarize(try EventNormalizer.normalize(Fixtures.event("exception_chained"), context: context))
        #expect(chained.title == "RuntimeError: could not read configuration")
        #expect(chained.culprit == "__main__ in connect")
        let crash = EventNormalizer.summarize(try EventNormalizer.normalize(Fixtures.event("unhandled_crash.1"), context: context))
        #expect(crash.handled == false)
        let message = EventNormalizer.summarize(try EventNormalizer.normalize(Fixtures.event("message"), context: context))
        #expect(message.title == "Payment gateway timed out")
        #expect(message.level == .warning)
    }

    @Test("non-objects are refused")
    func refused() {
        #expect(throws: EventPayloadError.self) { try EventNormalizer.normalize(.array([]), context: EventContext(envelopeEventID: nil, receivedAt: 0)) }
    }

    @Test("RFC 3339 timestamps", arguments: [
        ("2011-05-02T17:41:36Z", 1_304_358_096.0), ("2011-05-02T17:41:36", 1_304_358_096.0),
        ("2011-05-02T17:41:36.25Z", 1_304_358_096.25), ("2011-05-02T19:41:36+02:00", 1_304_358_096.0),
    ])
    func timestamps(text: String, seconds: Double) {
        #expect(Timestamps.parseRFC3339(text) == seconds)
    }

    @Test("oversized fields are trimmed, never refused, and the cut is noted in _meta")
    func trimsAreNoted() throws {
        let long = String(repeating: "r", count: 250)
        let crumbs = (0..<120).map { #"{"message":"c\#($0)"}"# }.joined(separator: ",")
        let event = try normalize(#"{"release":"\#(long)","tags":{"k":"\#(long)"},"breadcrumbs":[\#(crumbs)],"message":"\#(String(repeating: "m", count: 9000))"}"#)
        #expect(event["release"]?.stringValue?.count == 200)
        #expect(event["_meta"]?["release"]?[""]?["len"] == .int(250))
        #expect(event["_meta"]?["release"]?[""]?["rem"] == .array([.array([.string("!limit"), .string("s")])]))
        #expect(event["tags"]?["k"]?.stringValue?.count == 200)
        #expect(event["_meta"]?["tags"]?["k"]?[""]?["len"] == .int(250))
        #expect(event["breadcrumbs"]?["values"]?.arrayValue?.count == 100)
        #expect(event["_meta"]?["breadcrumbs"]?["values"]?[""]?["len"] == .int(120))
        #expect(event["logentry"]?["formatted"]?.stringValue?.count == 8192)
        #expect(event["_meta"]?["logentry"]?["formatted"]?[""]?["len"] == .int(9000))
        #expect(try normalize(#"{"release":"1.0"}"#)["_meta"] == nil)
        let ancient = try normalize(#"{"timestamp":1000}"#)
        #expect(ancient["timestamp"]?.doubleValue ?? 0 > 1_000_000)
        #expect(ancient["_meta"]?["timestamp"]?[""]?["rem"] == .array([.array([.string("!past"), .string("s")])]))
    }
}
