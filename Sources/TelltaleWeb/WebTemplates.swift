import Foundation
import HTTPTypes
import Hummingbird
public import Mustache
import NIOCore

/// The dashboard's Mustache templates, compiled into the binary from `Resources/templates`.
/// `{{value}}` escapes HTML; `{{{value}}}` is used only for markup Telltale itself builds
/// (SVG charts), never for event data.
public struct WebTemplates: Sendable {
    public let library: MustacheLibrary

    public init() throws {
        let sources: [String: [UInt8]] = [
            "layout": PackageResources.layout_mustache,
            "perf_nav": PackageResources.perf_nav_mustache,
            "performance": PackageResources.performance_mustache,
            "transaction": PackageResources.transaction_mustache,
            "trace": PackageResources.trace_mustache,
            "web_vitals": PackageResources.web_vitals_mustache,
            "releases": PackageResources.releases_mustache,
            "release": PackageResources.release_mustache,
            "business": PackageResources.business_mustache,
            "user_reports": PackageResources.user_reports_mustache,
            "user_report": PackageResources.user_report_mustache,
            "sla": PackageResources.sla_mustache,
            "login": PackageResources.login_mustache,
            "issues": PackageResources.issues_mustache,
            "issue_rows": PackageResources.issue_rows_mustache,
            "issue": PackageResources.issue_mustache,
            "event": PackageResources.event_mustache,
            "overview": PackageResources.overview_mustache,
            "empty": PackageResources.empty_mustache,
            "settings": PackageResources.settings_mustache,
            "audit": PackageResources.audit_mustache,
            "project": PackageResources.project_mustache,
            "members": PackageResources.members_mustache,
            "account": PackageResources.account_mustache,
            "invitation": PackageResources.invitation_mustache,
            "issue_events": PackageResources.issue_events_mustache,
            "issue_users": PackageResources.issue_users_mustache,
            "error": PackageResources.error_mustache,
            "status": PackageResources.status_mustache,
            "health": PackageResources.health_mustache,
            "monitor_row": PackageResources.monitor_row_mustache,
            "monitor": PackageResources.monitor_mustache,
            "monitor_form": PackageResources.monitor_form_mustache,
            "status_pages": PackageResources.status_pages_mustache,
            "notifications": PackageResources.notifications_mustache,
            "alerts": PackageResources.alerts_mustache,
            "incidents": PackageResources.incidents_mustache,
            "incident_rows": PackageResources.incident_rows_mustache,
            "incident_links": PackageResources.incident_links_mustache,
            "classification": PackageResources.classification_mustache,
            "related_rows": PackageResources.related_rows_mustache,
            "incident": PackageResources.incident_mustache,
            "oncall": PackageResources.oncall_mustache,
        ]
        var library = MustacheLibrary()
        for (name, bytes) in sources {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        // Asset URLs carry the assets' version (`{{>asset_version}}`) so browsers may cache them.
        try library.register(StaticAssets.version, named: "asset_version")
        self.library = library
    }

    /// Renders a template to a string.
    public func render(_ name: String, _ object: Any) -> String {
        library.render(object, withTemplate: name) ?? ""
    }

    /// An HTML page response with the dashboard's security headers.
    func page(_ name: String, _ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Self.html(render(name, object), status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// No inline script or style may run, so even a missed escape cannot execute code.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]
}

/// A 303 to another page (after a form post, or to the sign-in page).
func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
    var headers: HTTPFields = [.location: location]
    headers.append(contentsOf: extra)
    return Response(status: .seeOther, headers: headers)
}
