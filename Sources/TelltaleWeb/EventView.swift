import Foundation
import SentryProtocol

/// One stored event laid out for reading: exceptions with their frames (most recent call
/// first, library frames folded), breadcrumbs, tags, user, request and contexts.
struct EventView: Sendable {
    struct Line: Sendable { var number: Int; var code: String; var isCurrent: Bool }
    struct Frame: Sendable {
        var location: String
        var function: String
        var lineNumber: String
        var inApp: Bool
        var lines: [Line]
        var vars: [Pair]
        var hasDetail: Bool
        var hasLines: Bool
        var hasVars: Bool
    }
    /// Consecutive frames shown together: in-app ones open, library ones folded.
    struct FrameGroup: Sendable {
        var inApp: Bool
        var frames: [Frame]
        var count: Int
        var plural: Bool
    }
    struct Exception: Sendable {
        var type: String
        var value: String
        var module: String?
        var mechanism: String?
        var unhandled: Bool
        var relation: String?
        var groups: [FrameGroup]
        var hasFrames: Bool
    }
    struct Pair: Sendable { var key: String; var value: String }
    struct Section: Sendable { var name: String; var pairs: [Pair] }
    struct Crumb: Sendable {
        var time: String
        var category: String
        var level: String
        var message: String
        var data: String
    }

    var eventID: String
    var timestamp: String
    var timestampISO: String
    var message: String?
    var exceptions: [Exception]
    var threadsNote: String?
    var breadcrumbs: [Crumb]
    var tags: [Pair]
    var user: [Pair]
    var request: [Pair]
    var requestHeaders: [Pair]
    var contexts: [Section]
    var release: String?
    var environment: String?
    var platform: String?
    var sdk: String?
    var hasExceptions: Bool
    var hasBreadcrumbs: Bool
    var hasUser: Bool
    var hasRequest: Bool
    var hasContexts: Bool
    var hasTags: Bool
    var hasRequestHeaders: Bool
    /// The event's trace, to look its transaction up.
    var traceID: String?
    /// A performance problem's transaction.
    var problemTransactionID: String?
    /// Its transaction's waterfall, when stored.
    var transactionHref: String?

    init(_ event: JSONValue, eventID: String, timestamp: Date) {
        self.eventID = eventID
        traceID = event["contexts"]?["trace"]?["trace_id"]?.stringValue
        problemTransactionID = event["contexts"]?["performance_problem"]?["transaction_event_id"]?.stringValue
        self.timestamp = WebFormat.timestamp(timestamp)
        self.timestampISO = WebFormat.iso(timestamp)
        message = event["logentry"]?["formatted"]?.stringValue ?? event["logentry"]?["message"]?.stringValue ?? event["message"]?.stringValue
        let values = Self.list(event["exception"])
        // SDKs list a chain cause first; readers want the exception that was raised first.
        exceptions = values.reversed().enumerated().map { index, value in
            Self.exception(value, relation: index == 0 ? nil : "Caused by")
        }
        if exceptions.isEmpty, let thread = Self.list(event["threads"]).first(where: { $0["stacktrace"] != nil }) {
            let groups = Self.groups(thread["stacktrace"]?["frames"]?.arrayValue ?? [])
            exceptions = [Exception(type: "Thread", value: thread["name"]?.scalarText ?? "", module: nil, mechanism: nil, unhandled: false,
                                    relation: nil, groups: groups, hasFrames: !groups.isEmpty)]
        }
        breadcrumbs = Self.list(event["breadcrumbs"]).suffix(100).map(Self.crumb)
        tags = Self.pairs(event["tags"])
        user = Self.pairs(event["user"])
        var requestPairs = Self.pairs(event["request"]).filter { !["headers", "env", "cookies"].contains($0.key) }
        requestPairs.sort { ($0.key == "url" ? 0 : $0.key == "method" ? 1 : 2, $0.key) < ($1.key == "url" ? 0 : $1.key == "method" ? 1 : 2, $1.key) }
        request = requestPairs
        requestHeaders = Self.pairs(event["request"]?["headers"])
        contexts = (event["contexts"]?.objectValue).map { $0.map { Section(name: $0.key, pairs: Self.pairs($0.value)) } } ?? []
        release = event["release"]?.scalarText
        environment = event["environment"]?.scalarText
        platform = event["platform"]?.scalarText
        sdk = [event["sdk"]?["name"]?.stringValue, event["sdk"]?["version"]?.stringValue].compactMap { $0 }.joined(separator: " ").nilIfEmpty
        hasExceptions = !exceptions.isEmpty
        hasBreadcrumbs = !breadcrumbs.isEmpty
        hasUser = !user.isEmpty
        hasRequest = !request.isEmpty || !requestHeaders.isEmpty
        hasContexts = !contexts.isEmpty
        hasTags = !tags.isEmpty
        hasRequestHeaders = !requestHeaders.isEmpty
    }

    /// `{"values": [...]}` or a bare list, as SDKs send either.
    static func list(_ value: JSONValue?) -> [JSONValue] {
        value?.interfaceValues ?? []
    }

    static func exception(_ value: JSONValue, relation: String?) -> Exception {
        let mechanism = value["mechanism"]
        let groups = groups(value["stacktrace"]?["frames"]?.arrayValue ?? [])
        return Exception(
            type: value["type"]?.scalarText ?? "Error",
            value: value["value"]?.scalarText ?? "",
            module: value["module"]?.scalarText,
            mechanism: mechanism?["type"]?.scalarText,
            unhandled: mechanism?["handled"]?.boolValue == false,
            relation: relation,
            groups: groups,
            hasFrames: !groups.isEmpty
        )
    }

    /// Frames most recent call first, consecutive library frames folded into one group.
    static func groups(_ frames: [JSONValue]) -> [FrameGroup] {
        let anyInApp = frames.contains { $0["in_app"]?.boolValue == true }
        var groups: [FrameGroup] = []
        for value in frames.reversed() {
            // With no in-app information at all, every frame is shown open.
            let frame = self.frame(value, inApp: anyInApp ? value["in_app"]?.boolValue == true : true)
            if let last = groups.last, last.inApp == frame.inApp {
                groups[groups.count - 1].frames.append(frame)
                groups[groups.count - 1].count += 1
                groups[groups.count - 1].plural = true
            } else {
                groups.append(FrameGroup(inApp: frame.inApp, frames: [frame], count: 1, plural: false))
            }
        }
        return groups
    }

    static func frame(_ value: JSONValue, inApp: Bool) -> Frame {
        let lineNumber = value["lineno"]?.intValue
        var lines: [Line] = []
        if let current = value["context_line"]?.stringValue, let n = lineNumber.map(Int.init) {
            let pre = value["pre_context"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let post = value["post_context"]?.arrayValue?.compactMap(\.stringValue) ?? []
            lines += pre.enumerated().map { Line(number: n - pre.count + $0.offset, code: $0.element, isCurrent: false) }
            lines.append(Line(number: n, code: current, isCurrent: true))
            lines += post.enumerated().map { Line(number: n + 1 + $0.offset, code: $0.element, isCurrent: false) }
        }
        let vars = pairs(value["vars"])
        let file = value["filename"]?.scalarText ?? value["abs_path"]?.scalarText ?? value["module"]?.scalarText ?? "?"
        return Frame(
            location: file,
            function: value["function"]?.scalarText ?? "?",
            lineNumber: [lineNumber.map(String.init), value["colno"]?.intValue.map(String.init)].compactMap { $0 }.joined(separator: ":"),
            inApp: inApp,
            lines: lines,
            vars: vars,
            hasDetail: !lines.isEmpty || !vars.isEmpty,
            hasLines: !lines.isEmpty,
            hasVars: !vars.isEmpty
        )
    }

    static func crumb(_ value: JSONValue) -> Crumb {
        let time: String = if let seconds = value["timestamp"]?.doubleValue {
            WebFormat.timestamp(Date(timeIntervalSince1970: seconds))
        } else {
            value["timestamp"]?.stringValue ?? ""
        }
        return Crumb(
            time: time,
            category: value["category"]?.scalarText ?? value["type"]?.scalarText ?? "default",
            level: value["level"]?.scalarText ?? "info",
            message: value["message"]?.scalarText ?? "",
            data: value["data"].flatMap { Self.isEmpty($0) ? nil : text($0) } ?? ""
        )
    }

    /// An object's members as text pairs (nested values as compact JSON).
    static func pairs(_ value: JSONValue?) -> [Pair] {
        guard let object = value?.objectValue else { return [] }
        // Empty values (null, {}, []) say nothing: they are left out rather than printed.
        return object.filter { !isEmpty($0.value) }.map { Pair(key: $0.key, value: $0.value.scalarText ?? text($0.value)) }
    }

    /// null, an empty object or an empty array.
    static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .object(let members): members.isEmpty
        case .array(let values): values.isEmpty
        default: false
        }
    }

    static func text(_ value: JSONValue) -> String {
        let text = String(decoding: value.serialized(), as: UTF8.self)
        return text.count > 2_000 ? String(text.prefix(2_000)) + "…" : text
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
