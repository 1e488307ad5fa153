import Foundation
import SentryProtocol
import Testing
import TelltaleCore

/// Default scrubbing against a corpus: one sample per credential detector must go, and ordinary
/// text (1,000 generated strings of the kinds events carry) must stay exactly as it was.
@Suite("Credential corpus")
struct CredentialCorpusTests {
    // Samples are built from pieces so this file itself holds no credential in a known format.
    static let awsKeyID = "AK" + "IA" + "IOSFODNN7EXAMPLE"
    static let awsSecret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
    static let samples: [(String, String)] = [
        ("AWS key id in a message", "using key \(awsKeyID) for s3"),
        ("AWS session key id", "temporary AS" + "IAJEXAMPLEXEG2JICE creds"),
        ("AWS secret next to its name", "aws_secret_access_key=\(awsSecret)"),
        ("AWS secret with spaces", "AWS_SECRET_ACCESS_KEY = '\(awsSecret)'"),
        ("secret key named in prose", "invalid secret key: \(awsSecret)"),
        ("GitHub classic token", "push failed with gh" + "p_" + String(repeating: "a1B2c3D4e5", count: 4)),
        ("GitHub fine-grained token", "token github" + "_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
        ("Slack bot token", "slack xox" + "b-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
        ("Stripe live secret key", "charge with sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
        ("Stripe restricted key", "rk" + "_live_" + "51H8aXYZabcdefghijklmnop"),
        ("Google API key", "maps AI" + "zaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
        ("JWT", "jwt ey" + "JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
        ("private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
        ("bearer token", "Authorization: Bearer abc.def-123"),
        ("password pair", "login password=hunter2-correct"),
        ("URL password", "postgres://app:s3cret@db:5432/x"),
        ("card number", "card 4111 1111 1111 1111 declined"),
        ("email address", "no account for alice.smith+shop@example.co.uk here"),
        ("international phone", "call +44 20 7946 0958 now"),
        ("North American phone", "call (555) 123-4567 now"),
    ]

    @Test("every detector removes its sample", arguments: samples)
    func detector(name: String, text: String) {
        let scrubbed = Scrubber.scrubString(text, personalData: true)
        #expect(scrubbed != text, "\(name) survived: \(scrubbed)")
        for secret in [Self.awsKeyID, Self.awsSecret, "hunter2", "s3cret", "4111", "alice.smith", "7946", "123-4567", "MIIEow"] {
            #expect(!scrubbed.contains(secret), "\(name): \(scrubbed)")
        }
    }

    @Test("a secret is scrubbed wherever the event carries it: message, extra, exception value, title, source context")
    func wholeEvent() throws {
        let json = #"""
        {"message":"key \#(Self.awsKeyID)","extra":{"note":"id \#(Self.awsKeyID)"},
         "exception":{"values":[{"type":"AuthError","value":"bad secret key: \#(Self.awsSecret)",
           "stacktrace":{"frames":[{"filename":"app.py","function":"connect","lineno":3,"in_app":true,
             "pre_context":["token = 'abc123def456'"],"context_line":"    password = 'hunter2-correct-horse'","post_context":["# ok"]}]}}]}}
        """#
        let scrubbed = Scrubber(policy: ScrubbingPolicy(), keyedHash: { $0 }).scrub(try JSONParser.parse(Array(json.utf8)))
        let text = String(decoding: scrubbed.serialized(), as: UTF8.self)
        for secret in [Self.awsKeyID, Self.awsSecret, "hunter2", "abc123def456"] {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        let summary = EventNormalizer.summarize(scrubbed)
        #expect(!summary.title.contains(Self.awsSecret))
        #expect(summary.title.hasPrefix("AuthError: bad secret key"))
        let frame = scrubbed["exception"]?["values"]?.arrayValue?.first?["stacktrace"]?["frames"]?.arrayValue?.first
        #expect(frame?["context_line"]?.stringValue == "    password = [Filtered]")
        #expect(frame?["function"]?.stringValue == "connect")
    }

    @Test("user.email stays by default and is masked when the project does not keep it; emails in text are masked")
    func userEmail() throws {
        let json = #"{"user":{"email":"alice@example.com","id":"1"},"message":"mail to alice@example.com failed"}"#
        let kept = Scrubber(policy: ScrubbingPolicy(), keyedHash: { $0 }).scrub(try JSONParser.parse(Array(json.utf8)))
        #expect(kept["user"]?["email"]?.stringValue == "alice@example.com")
        #expect(kept["message"]?.stringValue == "mail to [email] failed")
        let masked = Scrubber(policy: ScrubbingPolicy(keepUserEmail: false), keyedHash: { $0 }).scrub(try JSONParser.parse(Array(json.utf8)))
        #expect(masked["user"]?["email"]?.stringValue == "[email]")
        let off = Scrubber(policy: ScrubbingPolicy(personalData: false), keyedHash: { $0 }).scrub(try JSONParser.parse(Array(json.utf8)))
        #expect(off["message"]?.stringValue == "mail to alice@example.com failed")
    }

    /// What events carry: sentences, identifiers, paths, URLs, numbers, code, dates.
    static func ordinaryText(count: Int) -> [String] {
        var generator = SplitMix64(seed: 20_261_203)
        let words = ["the", "order", "failed", "user", "payment", "timeout", "connection", "reset", "by", "peer", "while", "reading",
                     "response", "from", "upstream", "cache", "miss", "author", "tokenizer", "passenger", "secretary", "authority",
                     "AKIA", "ghost", "xoxo", "skill", "risk", "eye", "JSON", "Error", "KeyError", "ValueError", "at", "line", "in"]
        var texts: [String] = []
        for index in 0..<count {
            var parts: [String] = []
            for _ in 0..<(3 + Int(generator.next() % 8)) {
                switch generator.next() % 9 {
                case 0: parts.append(UUID(uuid: generator.uuidBytes()).uuidString.lowercased())
                case 1: parts.append("/api/v1/orders/\(generator.next() % 100_000)/items")
                case 2: parts.append(String(generator.next() % 1_000_000))
                case 3: parts.append("2026-\(1 + generator.next() % 12)-\(1 + generator.next() % 28)T12:00:00Z")
                case 4: parts.append("https://shop.example/checkout?step=\(generator.next() % 5)")
                case 5: parts.append("File \"app/models/order_\(generator.next() % 50).py\", line \(generator.next() % 900)")
                case 6: parts.append(String(format: "%016llx%016llx", generator.next(), generator.next()).prefix(40).description)
                default: parts.append(words[Int(generator.next() % UInt64(words.count))])
                }
            }
            texts.append(parts.joined(separator: index % 3 == 0 ? " " : (index % 3 == 1 ? ", " : ": ")))
        }
        return texts
    }

    @Test("1,000 ordinary strings are left exactly as they were")
    func untouched() {
        let texts = Self.ordinaryText(count: 1_000)
        #expect(texts.count == 1_000)
        let changed = texts.filter { Scrubber.scrubString($0, personalData: true) != $0 }
        #expect(changed.isEmpty, "changed: \(changed.prefix(5))")
    }
}

/// A small deterministic generator, so the corpus is the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uuidBytes() -> uuid_t {
        let a = next(), b = next()
        return withUnsafeBytes(of: (a, b)) { raw in
            let r = Array(raw)
            return (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15])
        }
    }
}
