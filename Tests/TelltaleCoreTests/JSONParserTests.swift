import Testing
import SentryProtocol

@Suite("JSON parser")
struct JSONParserTests {
    @Test("values, escapes and numbers round-trip")
    func roundTrip() throws {
        let text = #"{"a":[1,-2,3.5,1e3,true,false,null],"b":"x\"y\\z\n\u00e9\ud83d\ude00","c":{}}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value["a"]?.arrayValue?.count == 7)
        #expect(value["a"]?.arrayValue?[2] == .double(3.5))
        #expect(value["b"]?.stringValue == "x\"y\\z\né😀")
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test("hostile input is refused", arguments: [
        String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
        "{\"a\":1} trailing",
        "{\"a\":\"\u{01}\"}",
        "{\"a\":NaN}",
        "{'a':1}",
        "[1,]",
    ])
    func refused(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("strings: quotes, escapes, control characters and non-ASCII at every offset")
    func stringsAtEveryOffset() throws {
        let pieces: [(json: String, text: String)] = [("\\\"", "\""), ("\\\\", "\\"), ("\\n", "\n"), ("é", "é"), ("😀", "😀"), ("\\u00e9", "é")]
        for length in 0..<20 {
            for offset in 0...length {
                for piece in pieces {
                    let plain = String(repeating: "a", count: length)
                    let index = plain.index(plain.startIndex, offsetBy: offset)
                    let json = "\"" + plain[..<index] + piece.json + plain[index...] + "\""
                    let parsed = try JSONParser.parse(Array(json.utf8))
                    #expect(parsed == .string(String(plain[..<index]) + piece.text + plain[index...]), "\(json)")
                }
                var bytes = Array(("\"" + String(repeating: "b", count: length) + "\"").utf8)
                bytes.insert(0x1F, at: 1 + offset)
                #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
                bytes[1 + offset] = 0x7F  // DEL is allowed in a JSON string
                #expect(try JSONParser.parse(bytes).stringValue?.utf8.count == length + 1)
            }
        }
        // A long plain string spanning many words ends exactly at its quote.
        let long = String(repeating: "0123456789", count: 40)
        #expect(try JSONParser.parse(Array(("[\"" + long + "\",1]").utf8)) == .array([.string(long), .int(1)]))
    }

    @Test("NaN and Infinity only when allowed (old Python SDKs)")
    func nonFinite() throws {
        #expect(try JSONParser.parse(Array(#"{"a":NaN,"b":-Infinity}"#.utf8), allowNonFinite: true)["a"] == .null)
    }
}
