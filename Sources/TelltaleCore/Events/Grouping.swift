import Foundation
public import SentryProtocol

/// Computes an event's grouping (§12): custom fingerprint, else exception chain, else a
/// single thread's stack, else a bare stack trace, else the message, else a fallback.
/// Pure; the digest function (SHA-256 in production) is passed in.
public struct Grouping: Sendable {
    /// Turns the ordered component values into a hash.
    public typealias Digest = @Sendable ([String]) -> String

    let digest: Digest

    /// Creates the grouping with a digest function.
    public init(digest: @escaping Digest) {
        self.digest = digest
    }

    /// Groups a normalized event.
    public func group(_ event: JSONValue) -> GroupingResult {
        let (appValues, systemValues, strategy) = defaultComponents(event)
        if let fingerprint = event["fingerprint"]?.arrayValue, !fingerprint.isEmpty {
            let entries = fingerprint.compactMap { $0.scalarText }
            let isHybrid = entries.contains { Self.variableName($0) == "default" }
            var resolved: [String] = []
            for entry in entries {
                if let name = Self.variableName(entry) {
                    if name == "default" { continue }
                    resolved.append(resolve(variable: name, in: event))
                } else {
                    resolved.append(entry)
                }
            }
            if isHybrid {
                let app = appValues + resolved.map { "fingerprint:" + $0 }
                let system = systemValues + resolved.map { "fingerprint:" + $0 }
                return result([app, system], strategy: strategy + "+fingerprint")
            }
            return result([resolved.map { "fingerprint:" + $0 }], strategy: "fingerprint")
        }
        return result([appValues, systemValues], strategy: strategy)
    }

    private func result(_ variants: [[String]], strategy: String) -> GroupingResult {
        var hashes: [String] = []
        var components: [String] = []
        for values in variants where !values.isEmpty {
            let hash = digest([GroupingResult.currentVersion] + values)
            if !hashes.contains(hash) {
                if hashes.isEmpty { components = values }
                hashes.append(hash)
            }
        }
        if hashes.isEmpty {
            return GroupingResult(hashes: [digest([GroupingResult.currentVersion, "fallback"])], strategy: "fallback", components: ["fallback"], version: GroupingResult.currentVersion)
        }
        return GroupingResult(hashes: hashes, strategy: strategy, components: components, version: GroupingResult.currentVersion)
    }

    /// `{{ name }}` → `name`; anything else → `nil`.
    static func variableName(_ entry: String) -> String? {
        let trimmed = entry.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.count >= 4 else { return nil }
        return trimmed.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces).lowercased()
    }

    // MARK: Default components

    /// App-variant values, system-variant values and the strategy name.
    func defaultComponents(_ event: JSONValue) -> ([String], [String], String) {
        let platform = event["platform"]?.stringValue ?? "other"
        let exceptions = event["exception"]?["values"]?.arrayValue ?? []
        if !exceptions.isEmpty {
            let chain = Self.filteredExceptionChain(exceptions)
            var app: [String] = []
            var system: [String] = []
            for exception in chain {
                let values = exceptionValues(exception, platform: platform)
                app += values.app
                system += values.system
            }
            if !app.isEmpty || !system.isEmpty { return (app, system, "exception") }
        }
        for (stack, strategy) in [(Self.singleThreadStack(event), "threads"), (event["stacktrace"], "stacktrace")] {
            guard let stack else { continue }
            let frames = frameValues(stack, platform: platform)
            if !frames.isEmpty { return (Self.appValues(frames), frames.map(\.value), strategy) }
        }
        let logentry = event["logentry"]
        if let message = logentry?["message"]?.stringValue ?? logentry?["formatted"]?.stringValue, !message.isEmpty {
            let values = ["message:" + MessageNormalizer.normalize(message)]
            return (values, values, "message")
        }
        return ([], [], "fallback")
    }

    /// The app variant keeps only in-app frames.
    private static func appValues(_ frames: [(value: String, inApp: Bool)]) -> [String] {
        frames.compactMap { $0.inApp ? $0.value : nil }
    }

    /// The exception's values in the app and the system variant (its frames are read once
    /// for both).
    private func exceptionValues(_ exception: JSONValue, platform: String) -> (app: [String], system: [String]) {
        var head: [String] = []
        let synthetic = exception["mechanism"]?["synthetic"]?.boolValue == true
        if !synthetic, let type = exception["type"]?.stringValue, !type.isEmpty {
            head.append("type:" + type)
        }
        let frames = exception["stacktrace"].map { frameValues($0, platform: platform) } ?? []
        let app = Self.appValues(frames)
        let system = frames.map(\.value)
        // A variant without frames falls back to the exception's value.
        guard app.isEmpty || system.isEmpty else { return (head + app, head + system) }
        let value = exception["value"]?.stringValue.flatMap { $0.isEmpty ? nil : ["value:" + MessageNormalizer.normalize($0)] } ?? []
        return (head + (app.isEmpty ? value : app), head + (system.isEmpty ? value : system))
    }

    /// Frame values per §12.3, with each frame's `in_app`: module (or lower-cased basename),
    /// function, context line; never line numbers or absolute paths; recursion collapsed.
    func frameValues(_ stacktrace: JSONValue, platform: String) -> [(value: String, inApp: Bool)] {
        guard let frames = stacktrace["frames"]?.arrayValue else { return [] }
        var values: [(value: String, inApp: Bool)] = []
        var previous: JSONValue?
        for frame in frames {
            defer { previous = frame }
            if let previous, Self.sameFrame(previous, frame) { continue }
            let framePlatform = frame["platform"]?.stringValue ?? platform
            let isJS = framePlatform == "javascript" || framePlatform == "node"
            let absPath = frame["abs_path"]?.stringValue ?? ""
            let function = Self.normalizedFunction(frame["function"]?.stringValue ?? frame["raw_function"]?.stringValue, javascript: isJS)
            if isJS, function == "eval" || ["[native code]", "native code", "eval code", "<anonymous>"].contains(absPath) { continue }
            var location = ""
            if let module = frame["module"]?.stringValue, !module.isEmpty, !(isJS && (module.contains("/") || absPath.hasSuffix(module))) {
                location = module
            } else if let filename = frame["filename"]?.stringValue ?? (absPath.isEmpty ? nil : absPath),
                      !absPath.hasPrefix("http://"), !absPath.hasPrefix("https://") {
                let base = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init)?.lowercased() ?? ""
                if base != "<anonymous>", base != "[native code]" { location = base }
            }
            var context = ""
            // Bytes are counted first: a line of at most 120 bytes has at most 120 characters,
            // and counting characters walks the string.
            if Self.groupsByContextLine(framePlatform), let line = frame["context_line"]?.stringValue, line.utf8.count <= 120 || line.count <= 120 {
                context = Self.collapsingWhitespace(line)
            }
            guard !location.isEmpty || function != nil || !context.isEmpty else { continue }
            values.append(("frame:" + location + "|" + (function ?? "") + "|" + context, frame["in_app"]?.boolValue == true))
        }
        return values
    }

    /// Runs of ASCII whitespace become one space; leading and trailing ones go (byte-wise:
    /// Character-level splitting is slow and this runs per frame).
    static func collapsingWhitespace(_ text: String) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
        var text = text
        return text.withUTF8 { bytes in
            // Most context lines only need their indentation cut: one slice, no byte loop.
            guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
            var needsCollapse = false
            var previousSpace = false
            for byte in bytes[first...last] {
                let space = isSpace(byte)
                if space, byte != 32 || previousSpace { needsCollapse = true; break }
                previousSpace = space
            }
            if !needsCollapse { return String(decoding: UnsafeBufferPointer(rebasing: bytes[first...last]), as: UTF8.self) }
            var output: [UInt8] = []
            output.reserveCapacity(last - first + 1)
            var pendingSpace = false
            for byte in bytes[first...last] {
                if isSpace(byte) {
                    pendingSpace = true
                } else {
                    if pendingSpace { output.append(32); pendingSpace = false }
                    output.append(byte)
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    /// Platforms whose context lines are part of a frame's value (a switch: this runs per frame).
    static func groupsByContextLine(_ platform: String) -> Bool {
        switch platform {
        case "javascript", "node", "python", "php", "ruby": true
        default: false
        }
    }

    /// The fields that make two frames the same; the line number first, as it differs most often.
    static let frameIdentity = ["lineno", "function", "abs_path", "package", "module", "filename", "colno"]

    static func sameFrame(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard case .object(let a) = a, case .object(let b) = b else { return a == b }
        for key in frameIdentity where a[key] != b[key] {
            return false
        }
        return true
    }

    /// Function names without generated noise: JS keeps the last dotted part, anonymous
    /// names and Java lambdas do not count.
    static func normalizedFunction(_ name: String?, javascript: Bool) -> String? {
        guard var name, !name.isEmpty, name != "?", name != "<unknown>", name != "<redacted>" else { return nil }
        if name.hasPrefix("lambda$") { return nil }
        if javascript {
            if ["<anonymous>", "<anonymous function>", "Anonymous function"].contains(name) || name.hasSuffix("/<") { return nil }
            if let last = name.split(separator: ".").last { name = String(last) }
        }
        if name.hasPrefix("block in ") || name.hasPrefix("block (") { return "block" }
        return name
    }

    /// The stack of the one relevant thread (crashed, else current, else the only one).
    static func singleThreadStack(_ event: JSONValue) -> JSONValue? {
        guard let threads = event["threads"]?["values"]?.arrayValue, !threads.isEmpty else { return nil }
        let crashed = threads.filter { $0["crashed"]?.boolValue == true }
        let current = threads.filter { $0["current"]?.boolValue == true }
        let thread = crashed.count == 1 ? crashed[0] : current.count == 1 ? current[0] : threads.count == 1 ? threads[0] : nil
        return thread?["stacktrace"]
    }

    /// Exception-group filtering (§12.5): for a valid group tree keep the distinct top-level
    /// exceptions (and the root when there are several); otherwise the chain as sent.
    static func filteredExceptionChain(_ exceptions: [JSONValue]) -> [JSONValue] {
        guard exceptions.count >= 2 else { return exceptions }
        var byID: [Int64: JSONValue] = [:]
        var children: [Int64: [Int64]] = [:]
        for exception in exceptions {
            guard let id = exception["mechanism"]?["exception_id"]?.intValue, byID[id] == nil else { return exceptions }
            byID[id] = exception
            if let parent = exception["mechanism"]?["parent_id"]?.intValue {
                guard parent != id else { return exceptions }
                children[parent, default: []].append(id)
            }
        }
        guard let root = byID[0] else { return exceptions }
        var topLevel: [JSONValue] = []
        var queue: [Int64] = [0]
        var visited = Set<Int64>()
        while let id = queue.first {
            queue.removeFirst()
            guard visited.insert(id).inserted else { return exceptions }
            for child in children[id, default: []].sorted() {
                guard let exception = byID[child] else { continue }
                if exception["mechanism"]?["is_exception_group"]?.boolValue == true {
                    queue.append(child)
                } else {
                    topLevel.append(exception)
                }
            }
        }
        guard !topLevel.isEmpty else { return exceptions }
        var distinct: [JSONValue] = []
        for exception in topLevel.sorted(by: { ($0["type"]?.stringValue ?? "") > ($1["type"]?.stringValue ?? "") }) where !distinct.contains(where: {
            $0["type"] == exception["type"] && $0["value"] == exception["value"] && $0["stacktrace"] == exception["stacktrace"]
        }) {
            distinct.append(exception)
        }
        return distinct.count == 1 ? distinct : distinct + [root]
    }

    // MARK: Fingerprint variables

    private func resolve(variable: String, in event: JSONValue) -> String {
        let main = event["exception"]?["values"]?.arrayValue?.last
        let crashFrame = main?["stacktrace"]?["frames"]?.arrayValue.flatMap { frames in
            frames.last(where: { $0["in_app"]?.boolValue == true }) ?? frames.last
        }
        switch variable {
        case "transaction": return event["transaction"]?.stringValue ?? "<no-transaction>"
        case "message":
            return event["logentry"]?["formatted"]?.stringValue ?? event["logentry"]?["message"]?.stringValue ?? main?["value"]?.stringValue ?? "<no-message>"
        case "type", "error.type": return main?["type"]?.stringValue ?? "<no-type>"
        case "value", "error.value": return main?["value"]?.stringValue ?? "<no-value>"
        case "function", "stack.function": return crashFrame?["function"]?.stringValue ?? "<no-function>"
        case "path", "stack.abs_path": return crashFrame?["abs_path"]?.stringValue ?? crashFrame?["filename"]?.stringValue ?? "<no-abs-path>"
        case "stack.filename": return crashFrame?["filename"]?.stringValue ?? crashFrame?["abs_path"]?.stringValue ?? "<no-filename>"
        case "module", "stack.module": return crashFrame?["module"]?.stringValue ?? "<no-module>"
        case "package", "stack.package":
            return crashFrame?["package"]?.stringValue?.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "<no-package>"
        case "level": return event["level"]?.stringValue ?? "<no-level>"
        case "logger": return event["logger"]?.stringValue ?? "<no-logger>"
        default:
            if variable.hasPrefix("tags.") {
                let name = String(variable.dropFirst(5))
                return event["tags"]?[name]?.stringValue ?? "<no-value-for-tag-\(name)>"
            }
            return "{{ \(variable) }}"
        }
    }
}
