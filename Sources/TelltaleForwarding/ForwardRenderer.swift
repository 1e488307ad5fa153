import Foundation
import SentryProtocol
import TelltaleAlerting
import TelltaleCore

/// A request to another service: where, which headers, what body.
struct ForwardRequest: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]
}

/// A stored event with its parsed JSON, ready to render.
struct ForwardItem: Sendable {
    var event: ForwardedEvent
    var payload: JSONObject
    var link: String
}

/// Renders a batch in each service's documented intake format. Pure: the caller sends.
enum ForwardRenderer {
    static func requests(_ forwarder: Forwarder, _ items: [ForwardItem], now: Date) -> [ForwardRequest] {
        let size = forwarder.type.requestSize
        return stride(from: 0, to: items.count, by: size).flatMap { start in
            let chunk = Array(items[start..<min(items.count, start + size)])
            // How many events each request carries, for receivers' logs (and the benchmark's sink).
            return rendered(forwarder, chunk, now: now).map { request in
                var request = request
                request.headers.append(("X-Telltale-Events", String(forwarder.type == .sentry ? 1 : chunk.count)))
                return request
            }
        }
    }

    static func rendered(_ forwarder: Forwarder, _ items: [ForwardItem], now: Date) -> [ForwardRequest] {
        switch forwarder.config {
        case .sentry(let dsn, _):
            // One event per envelope, as the protocol requires.
            return items.map { sentry($0, dsn: dsn, url: forwarder.config.intakeURL, now: now) }
        case .datadog(let key, _, _):
            let logs = JSONValue.array(items.map(datadog))
            return [ForwardRequest(url: forwarder.config.intakeURL, headers: [("Content-Type", "application/json"), ("DD-API-KEY", key)], body: logs.serialized())]
        case .newrelic(let key, _, _):
            let body = JSONValue.array([.object([
                "common": .object(["attributes": .object(["service": .string(items.first?.event.projectSlug ?? ""), "source": .string("telltale")])]),
                "logs": .array(items.map(newRelic)),
            ])])
            return [ForwardRequest(url: forwarder.config.intakeURL, headers: [("Content-Type", "application/json"), ("Api-Key", key)], body: body.serialized())]
        case .webhook(let url, let secret):
            let body = JSONValue.object([
                "type": .string("events"), "forwarder": .string(forwarder.name), "project": .string(items.first?.event.projectSlug ?? ""),
                "events": .array(items.map(webhook)),
            ]).serialized()
            let timestamp = String(Int(now.timeIntervalSince1970))
            var headers = [("Content-Type", "application/json"), ("X-Telltale-Timestamp", timestamp)]
            if let secret { headers.append(("X-Telltale-Signature", "sha256=" + WebhookSigning.signature(secret: secret, timestamp: timestamp, body: body))) }
            return [ForwardRequest(url: url, headers: headers, body: body)]
        }
    }

    // MARK: Sentry

    static func sentry(_ item: ForwardItem, dsn: String, url: String, now: Date) -> ForwardRequest {
        var payload = item.payload
        payload["event_id"] = .string(item.event.eventID)
        let event = JSONValue.object(payload).serialized()
        let envelope = Envelope(
            header: ["event_id": .string(item.event.eventID), "dsn": .string(dsn), "sent_at": .string(now.formatted(.iso8601))],
            items: [Envelope.Item(header: ["type": .string("event"), "length": .int(Int64(event.count))], payload: event[...])])
        let key = (try? DSNParts(dsn))?.publicKey ?? ""
        return ForwardRequest(url: url, headers: [
            ("Content-Type", "application/x-sentry-envelope"),
            ("X-Sentry-Auth", "Sentry sentry_version=7, sentry_key=\(key), sentry_client=telltale-forwarder/1.0"),
        ], body: envelope.serialized())
    }

    // MARK: Datadog Logs

    static func datadog(_ item: ForwardItem) -> JSONValue {
        let event = item.event
        var tags = ["source:telltale", "project:\(event.projectSlug)", "level:\(event.level.rawValue)"]
        if let environment = event.environment { tags.append("env:\(environment)") }
        if let release = event.release { tags.append("version:\(release)") }
        tags += event.tags.prefix(50).map { "\($0.key):\($0.value)" }
        var log: JSONObject = [
            "ddsource": .string("telltale"), "ddtags": .string(tags.joined(separator: ",")),
            "hostname": .string(item.payload["server_name"]?.stringValue ?? "telltale"), "service": .string(event.projectSlug),
            "status": .string(datadogStatus(event.level)), "message": .string(message(event)),
            "timestamp": .int(milliseconds(event.timestamp)),
            "telltale": .object(["event_id": .string(event.eventID), "issue_id": event.issueID.map { .int($0) } ?? .null, "url": .string(item.link)]),
        ]
        if let error = exception(item.payload) {
            log["error"] = .object(["kind": .string(error.type), "message": .string(error.value), "stack": .string(error.stack)])
        }
        return .object(log)
    }

    static func datadogStatus(_ level: EventLevel) -> String {
        switch level {
        case .fatal: "critical"
        case .error: "error"
        case .warning: "warning"
        case .info: "info"
        case .debug: "debug"
        }
    }

    // MARK: New Relic Logs

    static func newRelic(_ item: ForwardItem) -> JSONValue {
        let event = item.event
        var attributes: JSONObject = [
            "level": .string(event.level.rawValue), "event.id": .string(event.eventID), "telltale.url": .string(item.link),
            "culprit": .string(event.culprit),
        ]
        if let issue = event.issueID { attributes["issue.id"] = .int(issue) }
        if let environment = event.environment { attributes["environment"] = .string(environment) }
        if let release = event.release { attributes["release"] = .string(release) }
        if let error = exception(item.payload) {
            attributes["error.class"] = .string(error.type)
            attributes["error.message"] = .string(error.value)
            attributes["error.stack"] = .string(error.stack)
        }
        for tag in event.tags.prefix(50) { attributes["tags.\(tag.key)"] = .string(tag.value) }
        return .object(["timestamp": .int(milliseconds(event.timestamp)), "message": .string(message(event)), "attributes": .object(attributes)])
    }

    // MARK: Webhook

    static func webhook(_ item: ForwardItem) -> JSONValue {
        let event = item.event
        return .object([
            "event_id": .string(event.eventID), "issue_id": event.issueID.map { .int($0) } ?? .null, "url": .string(item.link),
            "level": .string(event.level.rawValue), "title": .string(event.title), "culprit": .string(event.culprit),
            "environment": event.environment.map { .string($0) } ?? .null, "release": event.release.map { .string($0) } ?? .null,
            "timestamp": .string(event.timestamp.formatted(.iso8601)), "event": .object(item.payload),
        ])
    }

    // MARK: Shared

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func message(_ event: ForwardedEvent) -> String {
        event.culprit.isEmpty ? event.title : "\(event.title) (\(event.culprit))"
    }

    /// The innermost exception: its type, value and a Python-style stack, for the log services' error fields.
    static func exception(_ payload: JSONObject) -> (type: String, value: String, stack: String)? {
        guard let last = payload["exception"]?.interfaceValues.last?.objectValue else { return nil }
        let frames = last["stacktrace"]?.objectValue?["frames"]?.arrayValue ?? []
        let stack = frames.compactMap(\.objectValue).map { frame in
            let file = frame["filename"]?.stringValue ?? frame["abs_path"]?.stringValue ?? frame["module"]?.stringValue ?? "?"
            let line = frame["lineno"]?.intValue.map { ", line \($0)" } ?? ""
            let function = frame["function"]?.stringValue.map { ", in \($0)" } ?? ""
            return "  File \"\(file)\"\(line)\(function)"
        }.joined(separator: "\n")
        return (last["type"]?.stringValue ?? "Error", last["value"]?.stringValue ?? "", stack)
    }
}
