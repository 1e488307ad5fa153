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

    @Test("NaN and Infinity only when allowed (old Python SDKs)")
    func nonFinite() throws {
        #expect(try JSONParser.parse(Array(#"{"a":NaN,"b":-Infinity}"#.utf8), allowNonFinite: true)["a"] == .null)
    }
}
