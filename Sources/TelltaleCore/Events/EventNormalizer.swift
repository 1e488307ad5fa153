import Foundation
public import SentryProtocol

/// What the server knows about an event beyond its payload.
public struct EventContext: Sendable {
    /// The envelope header's event id (wins over the payload's).
    public var envelopeEventID: String?
    /// When the server received it, seconds since 1970.
    public var receivedAt: Double
    /// The envelope's `sent_at`, for clock-drift correction.
    public var sentAt: Double?
    /// The connection's address, substituted for `{{auto}}`.
    public var clientIP: String?
    /// The envelope header's `sdk`, used when the payload has none.
    public var envelopeSDK: JSONValue?

    /// Creates a context.
    public init(envelopeEventID: String?, receivedAt: Double, sentAt: Double? = nil, clientIP: String? = nil, envelopeSDK: JSONValue? = nil) {
        self.envelopeEventID = envelopeEventID
        self.receivedAt = receivedAt
        self.sentAt = sentAt
        self.clientIP = clientIP
        self.envelopeSDK = envelopeSDK
    }
}

/// Brings SDK payloads to one shape (§6): ids, timestamps, levels, `message`→`logentry`,
/// `values`-or-list interfaces, tags, `{{auto}}` addresses, trimmed oversized fields; and
/// extracts the ``EventSummary`` in the same pass.
public enum EventNormalizer {
    /// A span with its start and end moved by `seconds`.
    static func shifted(_ span: JSONValue, by seconds: Double) -> JSONValue {
        guard case .object(var members) = span else { return span }
        for key in ["start_timestamp", "timestamp"] {
            if let value = Timestamps.seconds(members[key]) { members[key] = .double(value + seconds) }
        }
        return .object(members)
    }

    /// Normalizes an event or transaction payload.
    public static func normalize(_ payload: JSONValue, context: EventContext, defaultType: String = "default") throws(EventPayloadError) -> JSONValue {
        guard case .object(var event) = payload else { throw EventPayloadError("event payload is not a JSON object") }
        var notes = MetaNotes()

        let eventID = context.envelopeEventID
            ?? event["event_id"]?.stringValue.flatMap(EventID.normalize)
            ?? SecretGenerator.hex(byteCount: 16)
        event["event_id"] = .string(eventID)

        // Clock drift: shift when the device clock is off by 55 minutes or more.
        var drift = 0.0
        if let sentAt = context.sentAt, abs(context.receivedAt - sentAt) >= 55 * 60 { drift = context.receivedAt - sentAt }
        let sent = Timestamps.seconds(event["timestamp"])
        var timestamp = sent.map { $0 + drift } ?? context.receivedAt
        if timestamp > context.receivedAt + 60 { timestamp = context.receivedAt }
        // Older than retention could keep it anyway (Relay's 30 days): received time instead, noted.
        if timestamp < context.receivedAt - 30 * 86_400 {
            timestamp = context.receivedAt
            notes.filtered([.key("timestamp")], rule: "!past", originalLength: nil)
        }
        event["timestamp"] = .double(timestamp)
        // A transaction's start and spans move with its end, so durations and offsets hold.
        let shift = sent.map { timestamp - $0 } ?? drift
        if let start = Timestamps.seconds(event["start_timestamp"]) { event["start_timestamp"] = .double(start + shift) }
        if shift != 0, case .array(let spans)? = event["spans"] { event["spans"] = .array(spans.map { shifted($0, by: shift) }) }

        for interface in ["exception", "breadcrumbs", "threads"] {
            if case .array(let values)? = event[interface] { event[interface] = .object(["values": .array(values)]) }
        }
        normalizeBreadcrumbs(&event, drift: drift, notes: &notes)

        var type = event["type"]?.stringValue ?? defaultType
        if type == "default" || type == "error" {
            type = (event["exception"]?["values"]?.arrayValue?.isEmpty == false) ? "error" : "default"
        }
        event["type"] = .string(type)

        let level = event["level"]?.scalarText.flatMap(EventLevel.init(sdkValue:)) ?? (type == "transaction" ? .info : .error)
        event["level"] = .string(level.rawValue)
        let platform = trimmed(event["platform"]?.stringValue, 64, at: "platform", &notes) ?? "other"
        event["platform"] = .string(platform)

        normalizeMessage(&event, notes: &notes)
        normalizeTags(&event, notes: &notes)
        normalizeUser(&event, clientIP: context.clientIP)
        if event["sdk"] == nil, let sdk = context.envelopeSDK { event["sdk"] = sdk }

        // Trimmed to Relay's limits; empty ones removed (assigning nil removes the member).
        for (key, limit) in [("release", 200), ("environment", 64), ("transaction", 200)] {
            event[key] = trimmed(event[key]?.scalarText, limit, at: key, &notes).map(JSONValue.string)
        }
        for (key, limit) in [("logger", 64), ("server_name", 256), ("dist", 64)] {
            if let text = event[key]?.scalarText { event[key] = .string(cut(text, limit, [.key(key)], &notes)) }
        }
        notes.apply(to: &event)
        return .object(event)
    }

    private static func trimmed(_ text: String?, _ limit: Int, at key: String, _ notes: inout MetaNotes) -> String? {
        guard var text, !text.isEmpty else { return nil }
        if text.first!.isWhitespace || text.last!.isWhitespace {
            text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { return nil }
        }
        return cut(text, limit, [.key(key)], &notes)
    }

    /// `text` cut to `limit` characters, noting the original length in `_meta` when cut.
    static func cut(_ text: String, _ limit: Int, _ path: [MetaNotes.Step], _ notes: inout MetaNotes) -> String {
        // UTF-8 length bounds the character count from above: most values skip the count.
        guard text.utf8.count > limit else { return text }
        let length = text.count
        guard length > limit else { return text }
        notes.trimmed(path, originalLength: length)
        return String(text.prefix(limit))
    }

    private static func normalizeBreadcrumbs(_ event: inout JSONObject, drift: Double, notes: inout MetaNotes) {
        guard var crumbs = event["breadcrumbs"]?["values"]?.arrayValue else { return }
        if crumbs.count > 100 {
            // The oldest go; the last 100 lead up to the error.
            notes.trimmed([.key("breadcrumbs"), .key("values")], originalLength: crumbs.count)
            crumbs = Array(crumbs.suffix(100))
        }
        crumbs = crumbs.compactMap { crumb in
            guard case .object(var members) = crumb else { return nil }
            if let seconds = Timestamps.seconds(members["timestamp"]) { members["timestamp"] = .double(seconds + drift) }
            if let level = members["level"]?.scalarText.flatMap(EventLevel.init(sdkValue:)) { members["level"] = .string(level.rawValue) }
            return .object(members)
        }
        event["breadcrumbs"] = .object(["values": .array(crumbs)])
    }

    /// `message` (string) → `logentry.formatted`; templates with params are formatted.
    private static func normalizeMessage(_ event: inout JSONObject, notes: inout MetaNotes) {
        var logentry = event["logentry"]?.objectValue ?? event["sentry.interfaces.Message"]?.objectValue ?? [:]
        if let message = event["message"] {
            if logentry["formatted"] == nil, logentry["message"] == nil {
                if case .string(let text) = message {
                    logentry["formatted"] = .string(text)
                } else if case .object(let members) = message {
                    logentry = members
                } else if message != .bool(false), !message.isNull {
                    logentry["formatted"] = .string(message.jsonText)
                }
            }
            event["message"] = nil
        }
        event["sentry.interfaces.Message"] = nil
        if logentry["formatted"] == nil, let template = logentry["message"]?.stringValue, let params = logentry["params"] {
            logentry["formatted"] = .string(format(template, params))
        }
        if let template = logentry["message"]?.stringValue, logentry["formatted"] == nil || logentry["formatted"]?.stringValue == template {
            logentry["formatted"] = .string(template)
            logentry["message"] = nil
        }
        for key in ["message", "formatted"] {
            if let text = logentry[key]?.stringValue { logentry[key] = .string(cut(text, 8192, [.key("logentry"), .key(key)], &notes)) }
        }
        event["logentry"] = logentry.isEmpty ? nil : .object(logentry)
    }

    /// `%s`/`%d`/`%(name)s` or `{}`/`{0}`/`{name}` formatting of a log template.
    static func format(_ template: String, _ params: JSONValue) -> String {
        let positional = params.arrayValue?.map { $0.scalarText ?? $0.jsonText } ?? []
        var named: [String: String] = [:]
        for (key, value) in params.objectValue ?? [:] { named[key] = value.scalarText ?? value.jsonText }
        var result = ""
        var index = 0
        var characters = Substring(template)
        while let character = characters.first {
            characters.removeFirst()
            if character == "%", let next = characters.first {
                if next == "%" { result.append("%"); characters.removeFirst(); continue }
                if next == "(", let close = characters.firstIndex(of: ")") {
                    let name = String(characters[characters.index(after: characters.startIndex)..<close])
                    characters = characters[characters.index(after: close)...]
                    if !characters.isEmpty { characters.removeFirst() }
                    result += named[name] ?? "%(\(name))s"
                    continue
                }
                if next.isLetter {
                    characters.removeFirst()
                    result += index < positional.count ? positional[index] : "%\(next)"
                    index += 1
                    continue
                }
            }
            if character == "{", !template.contains("%"), let close = characters.firstIndex(of: "}") {
                let name = String(characters[..<close])
                characters = characters[characters.index(after: close)...]
                if name.isEmpty {
                    result += index < positional.count ? positional[index] : "{}"
                    index += 1
                } else if let number = Int(name) {
                    result += number < positional.count ? positional[number] : "{\(name)}"
                } else {
                    result += named[name] ?? "{\(name)}"
                }
                continue
            }
            result.append(character)
        }
        return result
    }

    /// Tags as an object of strings (pairs lists accepted), keys and values ≤ 200 characters.
    private static func normalizeTags(_ event: inout JSONObject, notes: inout MetaNotes) {
        var tags: JSONObject = [:]
        func add(_ key: String?, _ value: JSONValue?) {
            // Sentry's tag key alphabet; anything else (spaces, newlines) is dropped.
            guard let key, !key.isEmpty, key.count <= 200,
                  key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.:-".unicodeScalars.contains($0) }),
                  let text = value?.scalarText, !text.contains("\n") else { return }
            tags[key] = .string(cut(text, 200, [.key("tags"), .key(key)], &notes))
        }
        switch event["tags"] {
        case .object(let members)?:
            for (key, value) in members { add(key, value) }
        case .array(let pairs)?:
            for pair in pairs {
                if let items = pair.arrayValue, items.count == 2 { add(items[0].scalarText, items[1]) }
            }
        default: break
        }
        event["tags"] = tags.isEmpty ? nil : .object(tags)
    }

    private static func normalizeUser(_ event: inout JSONObject, clientIP: String?) {
        guard case .object(var user)? = event["user"] else { return }
        if user["ip_address"]?.stringValue == "{{auto}}" {
            user["ip_address"] = clientIP.map(JSONValue.string)
        }
        if let id = user["id"], !id.isNull, id.stringValue == nil { user["id"] = id.scalarText.map(JSONValue.string) }
        event["user"] = .object(user)
    }

    /// Extracts the searchable facts of a normalized (and scrubbed) event.
    public static func summarize(_ event: JSONValue) -> EventSummary {
        let eventID = event["event_id"]?.stringValue ?? ""
        let type = event["type"]?.stringValue ?? "default"
        let level = event["level"]?.stringValue.flatMap(EventLevel.init(sdkValue:)) ?? .error
        let timestamp = event["timestamp"]?.doubleValue ?? 0
        let platform = event["platform"]?.stringValue ?? "other"
        let release = event["release"]?.stringValue
        let environment = event["environment"]?.stringValue
        let transaction = event["transaction"]?.stringValue
        let main = Grouping.filteredExceptionChain(event["exception"]?["values"]?.arrayValue ?? []).last
        let message = event["logentry"]?["formatted"]?.stringValue
        var title: String
        if type == "transaction" {
            title = transaction ?? "<unlabeled transaction>"
        } else if let main {
            let exceptionType = main["mechanism"]?["synthetic"]?.boolValue == true ? nil : main["type"]?.stringValue
            let value = main["value"]?.stringValue.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) }
            switch (exceptionType, value) {
            case (let type?, let value?): title = "\(type): \(value)"
            case (let type?, nil): title = type
            case (nil, let value?): title = value
            default: title = message ?? "<unknown error>"
            }
        } else if let message, let first = message.split(separator: "\n", omittingEmptySubsequences: true).first {
            title = String(first)
        } else {
            title = "<no message>"
        }
        if title.count > 200 { title = String(title.prefix(199)) + "…" }

        var culprit = transaction ?? ""
        if culprit.isEmpty {
            let frames = main?["stacktrace"]?["frames"]?.arrayValue ?? Grouping.singleThreadStack(event)?["frames"]?.arrayValue ?? []
            if let frame = frames.last(where: { $0["in_app"]?.boolValue == true }) ?? frames.last {
                let place = frame["module"]?.stringValue ?? frame["filename"]?.stringValue ?? "?"
                culprit = "\(place) in \(frame["function"]?.stringValue ?? "?")"
            }
        }
        let user = event["user"]
        let userKey = user?["id"]?.scalarText ?? user?["email"]?.stringValue ?? user?["username"]?.stringValue ?? user?["ip_address"]?.stringValue
        var tags: [String: String] = [:]
        for (key, value) in event["tags"]?.objectValue ?? [:] { tags[key] = value.stringValue }
        for pair in IssueTagging.userTags(user) where tags[pair.key] == nil { tags[pair.key] = pair.value }
        return EventSummary(
            eventID: eventID, type: type, level: level, timestamp: timestamp, platform: platform, title: title,
            culprit: String(culprit.prefix(200)), message: message, exceptionType: main?["type"]?.stringValue,
            handled: main?["mechanism"]?["handled"]?.boolValue, release: release, environment: environment,
            transaction: transaction, traceID: event["contexts"]?["trace"]?["trace_id"]?.stringValue, userKey: userKey, tags: tags,
            revenueImpact: Self.revenueImpact(event, tags: tags)
        )
    }

    /// A finite, non-negative amount, or nil.
    static func revenueImpact(_ event: JSONValue, tags: [String: String]) -> Double? {
        guard let amount = event["contexts"]?["business"]?["revenue_impact"]?.doubleValue ?? tags["revenue_impact"].flatMap(Double.init),
              amount.isFinite, amount >= 0, amount < 1e12 else { return nil }
        return amount
    }
}
