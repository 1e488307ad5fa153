/// A Sentry envelope: one header object and a list of items, each a header object and raw
/// payload bytes (§4 of the protocol reference).
public struct Envelope: Sendable {
    /// One item of the envelope.
    public struct Item: Sendable {
        /// The item header (`type`, `length`, `content_type`, `filename`…).
        public var header: JSONObject
        /// The payload bytes, exactly as sent.
        public var payload: ArraySlice<UInt8>

        /// Creates an item.
        public init(header: JSONObject, payload: ArraySlice<UInt8>) {
            self.header = header
            self.payload = payload
        }

        /// The item type (`event`, `transaction`, `attachment`…).
        public var type: String { header["type"]?.stringValue ?? "" }
    }

    /// The envelope header (`event_id`, `dsn`, `sent_at`, `sdk`, `trace`…).
    public var header: JSONObject
    /// The items in order.
    public var items: [Item]

    /// Creates an envelope.
    public init(header: JSONObject, items: [Item]) {
        self.header = header
        self.items = items
    }

    /// The envelope as sent: the header line, then each item's header (with its `length`)
    /// and payload on their own lines.
    public func serialized() -> [UInt8] {
        var output = JSONValue.object(header).serialized()
        output.append(UInt8(ascii: "\n"))
        for item in items {
            var itemHeader = item.header
            itemHeader["length"] = .int(Int64(item.payload.count))
            output.append(contentsOf: JSONValue.object(itemHeader).serialized())
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: item.payload)
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }

    /// The envelope's event id, lower-cased without dashes, when present and well formed.
    public var eventID: String? { header["event_id"]?.stringValue.flatMap(EventID.normalize) }

    /// Parses envelope bytes. Framing errors (bad header line, missing `type`, a payload
    /// shorter than its `length`, a byte after a payload that is not a newline) are fatal;
    /// payloads are not looked into here.
    public static func parse(_ bytes: [UInt8]) throws(EnvelopeError) -> Envelope {
        guard !bytes.isEmpty else { throw EnvelopeError("empty request body") }
        var position = 0
        let header = try headerLine(bytes, &position, what: "envelope header")
        var items: [Item] = []
        while position < bytes.count {
            if bytes[position...].allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09 }) { break }
            let itemHeader = try headerLine(bytes, &position, what: "item header \(items.count + 1)")
            guard itemHeader["type"]?.stringValue?.isEmpty == false else {
                throw EnvelopeError("item header \(items.count + 1) has no \"type\"")
            }
            let payload: ArraySlice<UInt8>
            if let lengthValue = itemHeader["length"], !lengthValue.isNull {
                guard let length = lengthValue.intValue, length >= 0 else {
                    throw EnvelopeError("item \(items.count + 1) has an invalid \"length\"")
                }
                guard length <= bytes.count - position else {
                    throw EnvelopeError("item \(items.count + 1) declares length \(length) but only \(bytes.count - position) bytes follow")
                }
                payload = bytes[position..<(position + Int(length))]
                position += Int(length)
                if position < bytes.count {
                    guard bytes[position] == 0x0A else {
                        throw EnvelopeError("item \(items.count + 1): expected a newline after \(length) payload bytes")
                    }
                    position += 1
                }
            } else {
                let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
                payload = bytes[position..<end]
                position = min(end + 1, bytes.count)
            }
            items.append(Item(header: itemHeader, payload: payload))
        }
        return Envelope(header: header, items: items)
    }

    private static func headerLine(_ bytes: [UInt8], _ position: inout Int, what: String) throws(EnvelopeError) -> JSONObject {
        let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
        let line = bytes[position..<end]
        position = min(end + 1, bytes.count)
        let value: JSONValue
        do {
            value = try JSONParser.parse(line, maxDepth: 16)
        } catch {
            throw EnvelopeError("\(what) is not valid JSON: \(error.reason)")
        }
        guard case .object(let members) = value else { throw EnvelopeError("\(what) is not a JSON object") }
        return members
    }
}

/// A malformed envelope, with the reason (answered as 400).
public struct EnvelopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Event ids: 32 lowercase hex characters; dashed UUIDs are accepted and normalized.
public enum EventID {
    /// The normalized id, or `nil` when `text` is not a UUID.
    public static func normalize(_ text: String) -> String? {
        // Every event carries one, almost always already normalized: that string is kept as is.
        if isNormal(text) { return text }
        var digits: [UInt8] = []
        digits.reserveCapacity(32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(byte + 32)
            case UInt8(ascii: "-"): continue
            default: return nil
            }
            if digits.count > 32 { return nil }
        }
        return digits.count == 32 ? String(decoding: digits, as: UTF8.self) : nil
    }

    /// Whether `text` is already 32 lower-case hex digits.
    static func isNormal(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
