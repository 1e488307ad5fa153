public import Foundation
public import SentryProtocol

/// Turns a captured error or message with its scope and options into Sentry event JSON
/// (pure: the id, time and call site come in), scrubbed of sensitive values.
public struct EventBuilder: Sendable {
    public let options: TelltaleOptions
    let extraSensitive: [[UInt8]]

    public init(options: TelltaleOptions) {
        self.options = options
        extraSensitive = SensitiveKeys.fragments(options.extraSensitiveKeys)
    }

    /// Where the capture was called from.
    public struct CallSite: Sendable {
        public var file: String
        public var function: String
        public var line: Int
        public init(file: String, function: String, line: Int) {
            self.file = file
            self.function = function
            self.line = line
        }
    }

    public func error(_ error: any Error, scope: Scope, options captureOptions: [CaptureOption], at site: CallSite, id: String, now: Date) -> JSONObject {
        let type = String(reflecting: Swift.type(of: error)).split(separator: ".").dropFirst().joined(separator: ".").nonEmpty ?? String(describing: Swift.type(of: error))
        let frame: JSONObject = ["filename": .string(site.file), "function": .string(site.function), "lineno": .int(Int64(site.line)), "in_app": .bool(true)]
        let exception: JSONObject = ["type": .string(type), "value": .string(Self.describe(error)),
                                     "mechanism": .object(["type": .string("generic"), "handled": .bool(true)]),
                                     "stacktrace": .object(["frames": .array([.object(frame)])])]
        var event = base(scope: scope, id: id, now: now, level: .error)
        event["exception"] = .object(["values": .array([.object(exception)])])
        return finish(event, scope: scope, options: captureOptions)
    }

    public func message(_ text: String, level: CaptureOption.Level, scope: Scope, options captureOptions: [CaptureOption], id: String, now: Date) -> JSONObject {
        var event = base(scope: scope, id: id, now: now, level: level)
        event["message"] = .object(["formatted": .string(text)])
        return finish(event, scope: scope, options: captureOptions)
    }

    /// A trace's root as a transaction: its name, timing, trace context and child spans, the
    /// request it answered, with the scope's tags, contexts and user.
    func transaction(_ trace: TraceTransaction, scope: Scope, id: String) -> JSONObject {
        var event = base(scope: scope, id: id, now: trace.end, level: .info)
        event["type"] = .string("transaction")
        event["transaction"] = .string(trace.name)
        event["transaction_info"] = .object(["source": .string(trace.trace["op"]?.stringValue == "http.server" ? "route" : "custom")])
        event["start_timestamp"] = .double(trace.start.timeIntervalSince1970)
        if !trace.request.isEmpty { event["request"] = .object(trace.request) }
        event["spans"] = .array(trace.spans.map(JSONValue.object))
        var contexts = scope.contexts.mapValues(JSONValue.object)
        contexts["trace"] = .object(trace.trace)
        event["contexts"] = .object(JSONObject(contexts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        if !scope.tags.isEmpty { event["tags"] = .object(JSONObject(scope.tags.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })) }
        if let user = scope.user?.id { event["user"] = .object(["id": .string(user)]) }
        return options.scrubbing ? scrub(event) : event
    }

    /// Sentry's span status for an HTTP status.
    public static func spanStatus(_ status: Int) -> String {
        switch status {
        case 200..<400: "ok"
        case 401: "unauthenticated"
        case 403: "permission_denied"
        case 404: "not_found"
        case 429: "resource_exhausted"
        case 400..<500: "invalid_argument"
        case 503: "unavailable"
        default: "internal_error"
        }
    }

    func base(scope: Scope, id: String, now: Date, level: CaptureOption.Level) -> JSONObject {
        var event: JSONObject = ["event_id": .string(id), "timestamp": .double(now.timeIntervalSince1970), "platform": .string("swift"),
                                 "level": .string(level.rawValue), "sdk": .object(["name": .string(TelltaleClient.sdkName), "version": .string(TelltaleClient.version)])]
        if let environment = options.environment { event["environment"] = .string(environment) }
        if let release = options.release { event["release"] = .string(release) }
        if let server = options.serverName { event["server_name"] = .string(server) }
        if let transaction = scope.transaction { event["transaction"] = .string(transaction) }
        return event
    }

    /// Scope and options in, then scrubbing: options win over the scope.
    func finish(_ start: JSONObject, scope: Scope, options captureOptions: [CaptureOption]) -> JSONObject {
        var event = start
        var tags = scope.tags, contexts = scope.contexts, fingerprint = scope.fingerprint
        for option in captureOptions {
            switch option {
            case .severity(let severity):
                tags["severity"] = severity.rawValue
                event["level"] = .string(["critical": "fatal", "high": "error", "medium": "warning", "low": "info", "info": "info"][severity.rawValue]!)
            case .category(let category): tags["category"] = category.name
            case .component(let component): tags["component"] = component
            case .endpoint(let endpoint):
                tags["endpoint"] = endpoint
                event["transaction"] = .string(endpoint)
            case .businessImpact(let impact): tags["business_impact"] = impact.rawValue
            case .revenueImpact(let amount): contexts["business", default: [:]]["revenue_impact"] = .double(amount)
            case .tag(let key, let value): tags[key] = value
            case .context(let key, let value): contexts[key] = value
            case .fingerprint(let values): fingerprint = values
            case .level(let level): event["level"] = .string(level.rawValue)
            }
        }
        if !tags.isEmpty { event["tags"] = .object(JSONObject(tags.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })) }
        if !contexts.isEmpty { event["contexts"] = .object(JSONObject(contexts.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.object($0.value)) })) }
        if let fingerprint { event["fingerprint"] = .array(fingerprint.map(JSONValue.string)) }
        if let user = scope.user {
            var object: JSONObject = [:]
            if let id = user.id { object["id"] = .string(id) }
            if let email = user.email { object["email"] = .string(email) }
            if let name = user.username { object["username"] = .string(name) }
            if let address = user.ipAddress { object["ip_address"] = .string(address) }
            event["user"] = .object(object)
        }
        let crumbs = scope.breadcrumbs.all
        if !crumbs.isEmpty { event["breadcrumbs"] = .object(["values": .array(crumbs.map(\.json))]) }
        return options.scrubbing ? scrub(event) : event
    }

    /// Values under sensitive keys become `[Filtered]`, at any depth (tags included).
    public func scrub(_ object: JSONObject) -> JSONObject {
        var result = JSONObject()
        for (key, value) in object {
            if SensitiveKeys.isSensitive(key, extra: extraSensitive), value != .null {
                result[key] = .string("[Filtered]")
            } else {
                result[key] = scrub(value)
            }
        }
        return result
    }

    func scrub(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): .object(scrub(object))
        case .array(let values): .array(values.map(scrub))
        default: value
        }
    }

    /// An error's message: its `localizedDescription` when it has one of its own, else what
    /// `String(describing:)` prints (a Swift enum case and its values).
    static func describe(_ error: any Error) -> String {
        if let localized = error as? any LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
