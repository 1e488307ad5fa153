import Foundation
import SentryProtocol
import Testing
import TelltaleCore

@Suite("Grouping (protocol §12)")
struct GroupingTests {
    let grouping = Grouping(digest: { $0.joined(separator: "\u{1F}") })
    let context = EventContext(envelopeEventID: nil, receivedAt: 1_795_000_000)

    func group(_ event: JSONValue) throws -> GroupingResult {
        grouping.group(try EventNormalizer.normalize(event, context: context))
    }

    @Test("the chained exception groups the same sent plain, gzip and brotli")
    func stableAcrossEncodings() throws {
        let hashes = try ["exception_chained", "exception_chained_gzip", "exception_chained_br"].map { try group(Fixtures.event($0)).primaryHash }
        #expect(Set(hashes).count == 1)
        let result = try group(Fixtures.event("exception_chained"))
        #expect(result.components == [
            "type:KeyError", "frame:__main__|connect|load({})", "frame:__main__|load|return cfg[\"database_url\"]",
            "type:RuntimeError", "frame:__main__|chained|connect()",
            "frame:__main__|connect|raise RuntimeError(\"could not read configuration\") from e",
        ])
    }

    /// Rewrites every frame of every exception with `transform`.
    func withFrames(_ event: JSONValue, _ transform: (inout JSONObject) -> Void) -> JSONValue {
        var event = event
        var exceptions = event["exception"]!["values"]!.arrayValue!
        for index in exceptions.indices {
            var frames = exceptions[index]["stacktrace"]!["frames"]!.arrayValue!
            for frameIndex in frames.indices {
                var frame: JSONObject = frames[frameIndex].objectValue!
                transform(&frame)
                frames[frameIndex] = .object(frame)
            }
            exceptions[index]["stacktrace"] = .object(["frames": .array(frames)])
        }
        event["exception"] = .object(["values": .array(exceptions)])
        return event
    }

    @Test("other line numbers and paths group together; another function or type does not")
    func callSites() throws {
        let base = try Fixtures.event("exception_chained")
        let moved = withFrames(base) { frame in
            frame["lineno"] = .int((frame["lineno"]?.intValue ?? 0) + 40)
            frame["abs_path"] = .string("/elsewhere/app/main.py")
            frame["vars"] = .object(["x": .string("0x7f00deadbeef")])
        }
        #expect(try group(base).primaryHash == group(moved).primaryHash)
        let renamed = withFrames(base) { frame in
            if frame["function"]?.stringValue == "load" { frame["function"] = .string("load_config") }
        }
        #expect(try group(base).primaryHash != group(renamed).primaryHash)
        var retyped = base
        var values = retyped["exception"]!["values"]!.arrayValue!
        values[1]["type"] = .string("ValueError")
        retyped["exception"] = .object(["values": .array(values)])
        #expect(try group(base).primaryHash != group(retyped).primaryHash)
    }

    @Test("context lines count without their indentation and whitespace runs", arguments: [
        ("  x  =\t1 ", "x = 1"), ("x = 1", "x = 1"), ("\tcall(a,  b)\n", "call(a, b)"), ("   ", ""),
    ])
    func contextWhitespace(line: String, expected: String) throws {
        let event = withFrames(try Fixtures.event("exception_chained")) { frame in frame["context_line"] = .string(line) }
        let components = try group(event).components.filter { $0.hasPrefix("frame:") }
        #expect(!components.isEmpty)
        #expect(components.allSatisfy { $0.hasSuffix("|" + expected) })
    }

    @Test("messages differing only in ids group together")
    func messages() throws {
        func message(_ text: String) -> JSONValue { .object(["message": .string(text), "platform": .string("python")]) }
        let a = try group(message("User 7c9e6679-7425-40de-944b-e07fc1f90ae7 not found at 10.0.0.12 after 1500ms"))
        let b = try group(message("User 0f8fad5b-d9cb-469f-a165-70867728950e not found at 192.168.1.1 after 20ms"))
        let c = try group(message("Order 7c9e6679-7425-40de-944b-e07fc1f90ae7 not found at 10.0.0.12 after 1500ms"))
        #expect(a.primaryHash == b.primaryHash)
        #expect(a.primaryHash != c.primaryHash)
        #expect(a.components == ["message:User <uuid> not found at <ip> after <duration>"])
    }

    @Test("the logging template wins over the formatted text")
    func template() throws {
        let result = try group(Fixtures.event("logging_message"))
        #expect(result.components == ["message:Failed to charge order %s for user %s"])
    }

    @Test("custom fingerprints, with and without {{ default }}")
    func fingerprints() throws {
        var event = try Fixtures.event("message")
        event["fingerprint"] = .array([.string("payments"), .string("{{ level }}")])
        let custom = try group(event)
        #expect(custom.strategy == "fingerprint")
        #expect(custom.components == ["fingerprint:payments", "fingerprint:warning"])
        let hybrid = try group(Fixtures.event("rich_context.1"))
        #expect(hybrid.strategy == "exception+fingerprint")
        #expect(hybrid.components.last == "fingerprint:checkout")
    }

    @Test("exception groups keep distinct children and the root")
    func exceptionGroup() throws {
        let result = try group(Fixtures.event("exception_group"))
        #expect(result.components.prefix(4) == ["type:ValueError", "value:bad value <int>", "type:TypeError", "value:bad type"])
        #expect(result.components[4] == "type:ExceptionGroup")
    }

    @Test("a message with an attached stack groups by the current thread's in-app frames")
    func threads() throws {
        let result = try group(Fixtures.event("message_stacktrace"))
        #expect(result.strategy == "threads")
        #expect(result.hashes.count == 2)
        #expect(result.components.count == 1)
    }

    @Test("parameter normalisation", arguments: [
        ("Cache miss ratio above 90% for key user:1234", "Cache miss ratio above <int>% for key user:<int>"),
        ("timeout after 1500ms", "timeout after <duration>"),
        ("mail bob@example.com at 2026-11-22T17:54:19.238988Z", "mail <email> at <date>"),
        ("GET https://shop.example.com/orders/17?x=1 failed", "GET <url> failed"),
        ("hash 5d41402abc4b2a76b9719d911017c592 / 0xDEADBEEF", "hash <md5> / <hex>"),
        ("value=true name='bob' x=3.25", "value=<bool> name=<quoted_str> x=<float>"),
        ("Foo::bar failed 3 times", "Foo::bar failed <int> times"),
        ("a\nb\nc", "a\nb..."),
    ])
    func normalisation(input: String, expected: String) {
        #expect(MessageNormalizer.normalize(input) == expected)
    }
}
