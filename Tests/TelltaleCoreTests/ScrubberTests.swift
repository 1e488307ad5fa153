import Foundation
import SentryProtocol
import Testing
import TelltaleCore

@Suite("Scrubbing defaults (protocol §13)")
struct ScrubberTests {
    func scrub(_ text: String, _ policy: ScrubbingPolicy = ScrubbingPolicy()) throws -> JSONValue {
        Scrubber(policy: policy, keyedHash: { "h(" + $0 + ")" }).scrub(try JSONParser.parse(Array(text.utf8)))
    }

    @Test("values under sensitive keys are filtered", arguments: [
        "password", "secret", "passwd", "api_key", "apikey", "token", "auth", "authorization", "credentials", "cookie", "session", "private_key",
    ])
    func sensitiveKeys(key: String) throws {
        let event = try scrub(#"{"extra":{"\#(key)":"hunter2","safe":"visible"}}"#)
        #expect(event["extra"]?[key]?.stringValue == "[Filtered]")
        #expect(event["extra"]?["safe"]?.stringValue == "visible")
    }

    @Test("secrets inside strings", arguments: [
        ("Authorization failed for Bearer abc.def-123", "Authorization failed for Bearer [Filtered]"),
        ("GET /login?user=bob&password=hunter2&x=1", "GET /login?user=bob&password=[Filtered]&x=1"),
        ("config apiKey=sk_live_123 loaded", "config apiKey=[Filtered] loaded"),
        ("postgres://app:s3cret@db:5432/x", "postgres://app:[Filtered]@db:5432/x"),
        ("card 4111 1111 1111 1111 declined", "card [creditcard] declined"),
        ("order 1234567890123 shipped", "order 1234567890123 shipped"),
        // Inside a word only URLs and PEM blocks start; the other patterns need a word boundary.
        ("xbearer abc mypassword=1 id4111111111111111", "xbearer abc mypassword=1 id4111111111111111"),
        ("dsn=x,url:postgres://app:s3cret@db", "dsn=x,url:postgres://app:[Filtered]@db"),
        ("key:-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----!", "key:[Filtered]!"),
        ("a=1;password=2", "a=1;password=[Filtered]"),
    ])
    func inlineSecrets(input: String, expected: String) {
        #expect(Scrubber.scrubString(input) == expected)
    }

    @Test("header pairs lists are filtered by name; stack frames stay readable")
    func headersAndFrames() throws {
        let event = try scrub(#"""
            {"request":{"headers":[["Cookie","sid=1"],["Accept","*/*"]]},
             "exception":{"values":[{"type":"E","stacktrace":{"frames":[{"filename":"auth/token.py","function":"check_token","vars":{"token":"t0k"}}]}}]}}
            """#)
        #expect(event["request"]?["headers"]?.arrayValue?[0] == .array([.string("Cookie"), .string("[Filtered]")]))
        #expect(event["request"]?["headers"]?.arrayValue?[1] == .array([.string("Accept"), .string("*/*")]))
        let frame = event["exception"]?["values"]?.arrayValue?[0]["stacktrace"]?["frames"]?.arrayValue?[0]
        #expect(frame?["filename"]?.stringValue == "auth/token.py")
        #expect(frame?["function"]?.stringValue == "check_token")
        #expect(frame?["vars"]?["token"]?.stringValue == "[Filtered]")
    }

    @Test("IP addresses kept, hashed or removed; user ids hashed on request")
    func personalData() throws {
        let text = #"{"user":{"id":"42","ip_address":"203.0.113.9"},"request":{"env":{"REMOTE_ADDR":"203.0.113.9"}}}"#
        #expect(try scrub(text)["user"]?["ip_address"]?.stringValue == "203.0.113.9")
        let hashed = try scrub(text, ScrubbingPolicy(ipAddresses: .hash, hashUserIDs: true))
        #expect(hashed["user"]?["ip_address"]?.stringValue == "h(ip:203.0.113.9)")
        #expect(hashed["user"]?["id"]?.stringValue == "h(user:42)")
        let removed = try scrub(text, ScrubbingPolicy(ipAddresses: .remove))
        #expect(removed["user"]?["ip_address"] == nil)
        #expect(removed["request"]?["env"]?["REMOTE_ADDR"] == nil)
    }

    @Test("extra sensitive fields and safe fields are honoured")
    func configured() throws {
        let event = try scrub(#"{"extra":{"ssn_number":"1","session_count":"3"}}"#, ScrubbingPolicy(sensitiveFields: ["ssn"], safeFields: ["session_count"]))
        #expect(event["extra"]?["ssn_number"]?.stringValue == "[Filtered]")
        #expect(event["extra"]?["session_count"]?.stringValue == "3")
    }

    @Test("every change is noted in _meta with its rule and original length")
    func metaNotes() throws {
        let event = try scrub(
            #"{"extra":{"password":"hunter2","note":"Bearer abc"},"request":{"headers":[["Cookie","sid=1"]]},"user":{"id":"7","ip_address":"203.0.113.9"},"_meta":{"sdk":{"":{"len":3}}}}"#,
            ScrubbingPolicy(ipAddresses: .remove, hashUserIDs: true)
        )
        let meta = event["_meta"]
        #expect(meta?["extra"]?["password"]?[""]?["rem"] == .array([.array([.string("@password:filter"), .string("s")])]))
        #expect(meta?["extra"]?["password"]?[""]?["len"] == .int(7))
        #expect(meta?["extra"]?["note"]?[""]?["rem"]?.arrayValue?.first?.arrayValue?.first == .string("@sensitive:replace"))
        #expect(meta?["request"]?["headers"]?["0"]?["1"]?[""]?["len"] == .int(5))
        #expect(meta?["user"]?["ip_address"]?[""]?["rem"] == .array([.array([.string("@ip:remove"), .string("x")])]))
        #expect(meta?["user"]?["id"]?[""]?["rem"] == .array([.array([.string("@userid:hash"), .string("p")])]))
        // What the SDK noted stays.
        #expect(meta?["sdk"]?[""]?["len"] == .int(3))
        // Nothing changed, nothing noted.
        #expect(try scrub(#"{"extra":{"a":"b"}}"#)["_meta"] == nil)
    }
}
