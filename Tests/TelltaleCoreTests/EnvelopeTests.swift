import Testing
import SentryProtocol

@Suite("Envelope parsing (protocol §4.1 vectors)")
struct EnvelopeTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("explicit lengths keep binary payloads and an optional trailing newline")
    func explicitLengths() throws {
        var input = bytes(#"{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}"#) + [0x0A]
        input += bytes(#"{"type":"attachment","length":8,"filename":"a.txt"}"#) + [0x0A, 0xEF, 0xBB, 0xBF] + bytes("Hi!\r\n") + [0x0A]
        input += bytes(#"{"type":"event","length":2}"#) + [0x0A] + bytes("{}") + [0x0A]
        for candidate in [input, Array(input.dropLast())] {
            let envelope = try Envelope.parse(candidate)
            #expect(envelope.items.count == 2)
            #expect(Array(envelope.items[0].payload) == [0xEF, 0xBB, 0xBF] + bytes("Hi!\r\n"))
            #expect(envelope.items[1].type == "event")
            #expect(envelope.eventID == "9ec79c33ec9942ab8353589fcb2e04dc")
        }
    }

    @Test("empty items, implicit length to EOF, header only")
    func shapes() throws {
        let empty = try Envelope.parse(bytes("{}\n{\"type\":\"attachment\",\"length\":0}\n\n{\"type\":\"attachment\",\"length\":0}\n"))
        #expect(empty.items.map(\.payload.count) == [0, 0])
        let implicit = try Envelope.parse(bytes(#"{}"# + "\n" + #"{"type":"session"}"# + "\n" + #"{"started":"2020-02-07T14:16:00Z","attrs":{"release":"a@1"}}"#))
        #expect(implicit.items.count == 1)
        #expect(implicit.items[0].payload.last == UInt8(ascii: "}"))
        #expect(try Envelope.parse(bytes(#"{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}"#)).items.isEmpty)
    }

    @Test("malformed framing is refused with a reason", arguments: [
        ("{}\n{\"type\":\"event\",\"length\":50}\n{}", "declares length 50"),
        ("{}\n{\"type\":\"event\",\"length\":2}\n{}X", "expected a newline"),
        ("{}\n{\"length\":2}\n{}", "no \"type\""),
        ("[1]\n", "not a JSON object"),
        ("{\"a\":\n", "not valid JSON"),
        ("", "empty request body"),
    ])
    func malformed(text: String, reason: String) {
        do {
            _ = try Envelope.parse(Array(text.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains(reason))
        }
    }

    @Test("every recorded fixture parses")
    func fixtures() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)
            .filter { $0.hasSuffix(".body") && !$0.contains("_gzip") && !$0.contains("_br") }
        #expect(names.count > 30)
        for name in names {
            let envelope = try Envelope.parse(Fixtures.envelope(String(name.dropLast(5))))
            #expect(!envelope.items.isEmpty || name.hasPrefix("client_report"))
        }
    }

    @Test("auth header parsing is tolerant")
    func auth() {
        #expect(SentryAuth.parse(header: "Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.python/2.75.0")
                == SentryAuth(publicKey: "abc", version: "7", client: "sentry.python/2.75.0"))
        #expect(SentryAuth.parse(header: "sentry   key = abc ,version=7")?.publicKey == "abc")
        #expect(SentryAuth.parse(header: "Sentry sentry_version=7") == nil)
        #expect(SentryAuth.parse(query: ["sentry_key": "k", "sentry_version": "7"])?.publicKey == "k")
        #expect(SentryAuth.parse(header: "\tSENTRY Sentry_Key=abc,,sentry_client = js/8 , sentry_key=def")
                == SentryAuth(publicKey: "def", client: "js/8"))
        #expect(SentryAuth.parse(header: "Basic dXNlcjpwYXNz") == nil)
        #expect(SentryAuth.parse(header: "sentry_key=abc")?.publicKey == "abc")
        #expect(SentryAuth.parse(header: "Sentry sentry\u{7F}key=abc") == nil)
        #expect(SentryAuth.parse(header: "Sentry sentry_key=") == nil)
    }

    @Test("event ids: 32 lower-case hex digits, dashed and upper-case ones normalized, anything else refused")
    func eventIDs() {
        let id = "0123456789abcdef0123456789abcdef"
        #expect(EventID.normalize(id) == id)
        #expect(EventID.normalize("01234567-89AB-CDEF-0123-456789ABCDEF") == id)
        #expect(EventID.normalize(id + "0") == nil)
        #expect(EventID.normalize(String(id.dropLast())) == nil)
        #expect(EventID.normalize("0123456789abcdef0123456789abcdeg") == nil)
        #expect(EventID.normalize("") == nil)
    }

    @Test("rate-limit header grammar SDKs parse")
    func rateLimitHeader() {
        let limits = [RateLimit(retryAfter: 60, categories: ["error", "transaction"], scope: "key", reason: "key_quota"),
                      RateLimit(retryAfter: 2700, categories: [], scope: "organization")]
        #expect(RateLimit.header(limits) == "60:error;transaction:key:key_quota, 2700::organization")
    }
}

import Foundation
