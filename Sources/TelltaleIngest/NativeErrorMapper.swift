import Foundation
public import SentryProtocol

/// Maps Telltale's native error JSON and supported log-drain formats to Sentry-shaped event
/// payloads, so every source enters the same pipeline (normalize, scrub, group, store).
public enum NativeErrorMapper {
    /// A field that cannot be used, named with its index in a batch.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The largest batch accepted in one request.
    public static let maxBatch = 1_000

    /// Reads one error object, an array of them, or `{"errors": [...]}`.
    public static func errors(fromNative body: JSONValue) throws(Problem) -> [JSONValue] {
        let list: [JSONValue]
        switch body {
        case .array(let values): list = values
        case .object(let members):
            if let errors = members["errors"]?.arrayValue { list = errors } else { list = [body] }
        default: throw Problem(description: "body must be an error object, an array of them, or {\"errors\": [...]}")
        }
        guard !list.isEmpty else { throw Problem(description: "no errors in the body") }
        guard list.count <= maxBatch else { throw Problem(description: "a batch holds at most \(maxBatch) errors; got \(list.count)") }
        return try list.enumerated().map { index, value throws(Problem) in try event(fromNative: value, index: index) }
    }

    static let severities = ["critical": "fatal", "high": "error", "medium": "warning", "low": "info", "info": "info"]

    /// One native error → an event payload.
    static func event(fromNative value: JSONValue, index: Int) throws(Problem) -> JSONValue {
        guard case .object(let error) = value else { throw Problem(description: "errors[\(index)] is not an object") }
        let message = error["message"]?.stringValue
        let type = error["error_type"]?.stringValue
        guard message?.isEmpty == false || type?.isEmpty == false else {
            throw Problem(description: "errors[\(index)] needs \"message\" or \"error_type\"")
        }
        var event: JSONObject = ["platform": .string("other")]
        var tags: JSONObject = error["tags"]?.objectValue ?? [:]
        if let severity = error["severity"]?.stringValue?.lowercased() {
            guard let level = severities[severity] ?? (["fatal", "error", "warning", "debug"].contains(severity) ? severity : nil) else {
                throw Problem(description: "errors[\(index)].severity '\(severity)' is not critical, high, medium, low or info")
            }
            event["level"] = .string(level)
            tags["severity"] = .string(severity)
        }
        for key in ["category", "business_impact", "component", "endpoint", "request_id"] {
            if let text = error[key]?.scalarText { tags[key] = .string(text) }
        }
        if !tags.isEmpty { event["tags"] = .object(tags) }
        var contexts: JSONObject = [:]
        if let context = error["context"], case .object = context { contexts["context"] = context }
        if let revenue = error["revenue_impact"]?.doubleValue { contexts["business"] = .object(["revenue_impact": .double(revenue)]) }
        if let traceID = error["trace_id"]?.stringValue {
            var trace: JSONObject = ["trace_id": .string(traceID)]
            if let span = error["span_id"]?.stringValue { trace["span_id"] = .string(span) }
            contexts["trace"] = .object(trace)
        }
        if !contexts.isEmpty { event["contexts"] = .object(contexts) }
        if let user = error["user_id"]?.scalarText { event["user"] = .object(["id": .string(user)]) }
        if let endpoint = error["endpoint"]?.stringValue { event["transaction"] = .string(endpoint) }
        if let timestamp = error["timestamp"] { event["timestamp"] = timestamp }
        let frames = try stackFrames(error["stack_trace"], index: index)
        if let type {
            var exception: JSONObject = ["type": .string(type)]
            if let message { exception["value"] = .string(message) }
            if !frames.isEmpty { exception["stacktrace"] = .object(["frames": .array(frames)]) }
            event["exception"] = .object(["values": .array([.object(exception)])])
        } else {
            event["message"] = .string(message ?? "")
            if !frames.isEmpty { event["stacktrace"] = .object(["frames": .array(frames)]) }
        }
        if case .string(let raw)? = error["stack_trace"] { event["extra"] = .object(["stack_trace": .string(raw)]) }
        return .object(event)
    }

    /// Frames from an array of frame objects, or parsed from a Python- or JVM/JS-style text trace.
    static func stackFrames(_ value: JSONValue?, index: Int) throws(Problem) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let frames)?:
            return try frames.map { frame throws(Problem) -> JSONValue in
                guard case .object(var members) = frame else { throw Problem(description: "errors[\(index)].stack_trace frames must be objects") }
                if members["in_app"] == nil { members["in_app"] = .bool(true) }
                return .object(members)
            }
        case .string(let text)?:
            return parseTextTrace(text)
        default:
            throw Problem(description: "errors[\(index)].stack_trace must be a string or an array of frames")
        }
    }

    /// Understands `File "app.py", line 3, in handler` (Python, innermost last) and
    /// `at fn (file.js:10:5)` / `at pkg.Class.method(File.java:10)` (innermost first).
    static func parseTextTrace(_ text: String) -> [JSONValue] {
        var frames: [JSONValue] = []
        var innermostFirst = false
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("File \""), let close = line.dropFirst(6).firstIndex(of: "\"") {
                let file = String(line.dropFirst(6)[..<close])
                let rest = line[line.index(after: close)...]
                let function = rest.components(separatedBy: ", in ").last.map { $0.trimmingCharacters(in: .whitespaces) }
                let number = rest.components(separatedBy: "line ").dropFirst().first.flatMap { Int($0.prefix(while: \.isNumber)) }
                var frame: JSONObject = ["filename": .string(file), "in_app": .bool(!file.contains("site-packages"))]
                if let function { frame["function"] = .string(function) }
                if let number { frame["lineno"] = .int(Int64(number)) }
                frames.append(.object(frame))
            } else if line.hasPrefix("at ") {
                innermostFirst = true
                var body = String(line.dropFirst(3))
                var function: String?
                if let open = body.lastIndex(of: "("), body.hasSuffix(")") {
                    function = String(body[..<open]).trimmingCharacters(in: .whitespaces)
                    body = String(body[body.index(after: open)..<body.index(before: body.endIndex)])
                }
                let parts = body.split(separator: ":")
                var frame: JSONObject = ["filename": .string(String(parts.first ?? "")), "in_app": .bool(!body.contains("node_modules"))]
                if let function, !function.isEmpty { frame["function"] = .string(function) }
                if parts.count > 1, let number = Int(parts[1]) { frame["lineno"] = .int(Int64(number)) }
                frames.append(.object(frame))
            }
        }
        return innermostFirst ? frames.reversed() : frames
    }

    /// Vercel log drain (JSON array of log lines): lines at level error, on stderr, or with a
    /// 5xx status become error events; others are skipped.
    public static func errors(fromVercel body: JSONValue) throws(Problem) -> [JSONValue] {
        let lines = body.arrayValue ?? [body]
        var events: [JSONValue] = []
        for (index, line) in lines.prefix(maxBatch).enumerated() {
            guard case .object(let entry) = line else { throw Problem(description: "log line \(index) is not an object") }
            let status = entry["statusCode"]?.intValue ?? entry["proxy"]?["statusCode"]?.intValue ?? 0
            let isError = entry["level"]?.stringValue == "error" || entry["type"]?.stringValue == "stderr" || status >= 500
            guard isError, let message = entry["message"]?.stringValue, !message.isEmpty else { continue }
            var tags: JSONObject = ["source": .string("vercel")]
            for key in ["projectId", "deploymentId", "host", "path", "source"] {
                if let text = entry[key]?.scalarText { tags["vercel." + key] = .string(text) }
            }
            if status > 0 { tags["http.status_code"] = .string(String(status)) }
            var event: JSONObject = ["message": .string(message), "level": .string("error"), "platform": .string("javascript"), "tags": .object(tags)]
            if let milliseconds = entry["timestamp"]?.doubleValue { event["timestamp"] = .double(milliseconds / 1000) }
            if let path = entry["path"]?.stringValue ?? entry["proxy"]?["path"]?.stringValue { event["transaction"] = .string(path) }
            events.append(.object(event))
        }
        return events
    }
}
