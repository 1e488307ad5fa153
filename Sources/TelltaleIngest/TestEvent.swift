public import Foundation
public import SentryProtocol
public import TelltaleCore

/// A realistic error for trying an installation end to end: an exception with a stack trace,
/// tags, a user and breadcrumbs, as an SDK would send it in an envelope. Every test event
/// groups into the same issue (same type, message and frames), so sending one again after
/// the issue was resolved shows a regression too.
public struct TestEvent: Sendable, Equatable {
    /// Sets the issue's severity through the `severity` tag the classifier honours.
    public var severity: IssueSeverity?
    /// Sets the issue's category through the `category` tag.
    public var category: IssueCategory?
    /// Sets the issue's business impact through the `business_impact` tag.
    public var impact: BusinessImpact?
    public var environment: String
    /// More tags (the self-test marks its run with one).
    public var tags: [String: String] = [:]
    /// Appended to the exception's message (the self-test plants a secret there).
    public var detail: String?

    /// The tag every test event carries, so they are easy to find and filter out.
    public static let marker = "telltale.test"
    /// The SDK name in the envelope and the auth header.
    public static let client = "telltale.test-event/1.0"

    public init(severity: IssueSeverity? = nil, category: IssueCategory? = nil, impact: BusinessImpact? = nil, environment: String = "telltale-test") {
        self.severity = severity
        self.category = category
        self.impact = impact
        self.environment = environment
    }

    /// The envelope's bytes: a header with the event id and one `event` item.
    public func envelope(eventID: String, at now: Date, dsn: String?) -> [UInt8] {
        var header: JSONObject = ["event_id": .string(eventID), "sent_at": .string(Self.timestamp(now))]
        if let dsn { header["dsn"] = .string(dsn) }
        let payload = JSONValue.object(event(eventID: eventID, at: now)).serialized()
        let itemHeader = JSONValue.object(["type": .string("event"), "length": .int(Int64(payload.count))]).serialized()
        return JSONValue.object(header).serialized() + [0x0A] + itemHeader + [0x0A] + payload + [0x0A]
    }

    /// The event payload.
    public func event(eventID: String, at now: Date) -> JSONObject {
        var tags: JSONObject = [Self.marker: .string("true"), "component": .string("checkout")]
        if let severity { tags["severity"] = .string(severity.rawValue) }
        if let category { tags["category"] = .string(category.rawValue) }
        if let impact { tags["business_impact"] = .string(impact.rawValue) }
        for (key, value) in self.tags { tags[key] = .string(value) }
        let seconds = now.timeIntervalSince1970
        return [
            "event_id": .string(eventID),
            "timestamp": .double(seconds),
            "platform": .string("python"),
            "level": .string("error"),
            "logger": .string("telltale.test"),
            "environment": .string(environment),
            "release": .string("telltale-test@1.0.0"),
            "server_name": .string("telltale-test-host"),
            "transaction": .string("/checkout/pay"),
            "tags": .object(tags),
            "user": .object(["id": .string("test-user-42"), "username": .string("test-user"), "segment": .string("trial")]),
            "exception": .object(["values": .array([.object([
                "type": .string("PaymentGatewayTimeout"),
                "value": .string("Timed out after 5.0 s waiting for the payment gateway (Telltale test event)" + (detail.map { " " + $0 } ?? "")),
                "module": .string("shop.payments"),
                "mechanism": .object(["type": .string("generic"), "handled": .bool(false)]),
                "stacktrace": .object(["frames": .array([
                    Self.frame("flask/app.py", "full_dispatch_request", 880, module: "flask.app", inApp: false,
                               line: "rv = self.dispatch_request()"),
                    Self.frame("shop/views/checkout.py", "pay", 57, module: "shop.views.checkout", inApp: true,
                               line: "receipt = payments.charge(order, card_token)"),
                    Self.frame("shop/payments.py", "charge", 121, module: "shop.payments", inApp: true,
                               line: "raise PaymentGatewayTimeout(f\"Timed out after {timeout} s waiting for the payment gateway\")"),
                ])]),
            ])])]),
            "breadcrumbs": .object(["values": .array([
                Self.crumb(seconds - 4, category: "navigation", message: "/cart -> /checkout"),
                Self.crumb(seconds - 2, category: "query", message: "SELECT * FROM orders WHERE id = %s"),
                Self.crumb(seconds - 1, category: "http", message: "POST https://payments.example/charge", level: "warning"),
            ])]),
            "request": .object(["method": .string("POST"), "url": .string("https://shop.example/checkout/pay")]),
            "sdk": .object(["name": .string(Self.client), "version": .string("1.0")]),
        ]
    }

    private static func frame(_ file: String, _ function: String, _ line: Int64, module: String, inApp: Bool, line text: String) -> JSONValue {
        .object([
            "filename": .string(file), "abs_path": .string("/srv/app/" + file), "function": .string(function), "module": .string(module),
            "lineno": .int(line), "in_app": .bool(inApp), "context_line": .string("    " + text),
        ])
    }

    private static func crumb(_ at: Double, category: String, message: String, level: String = "info") -> JSONValue {
        .object(["timestamp": .double(at), "category": .string(category), "message": .string(message), "level": .string(level)])
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
