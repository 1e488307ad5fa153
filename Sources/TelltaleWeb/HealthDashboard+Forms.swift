import Foundation
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP
import TelltaleMonitors

/// The forms that create and edit monitors, one set of fields per type.
extension HealthDashboard {
    struct FormView {
        struct Option { var value: String; var label: String; var selected: Bool }
        var chrome: Chrome
        var heading: String
        var action: String
        var cancel: String
        var error: String?
        var types: [Option]
        var isNew: Bool
        var isHTTP: Bool
        var isTCP: Bool
        var isPostgres: Bool
        var isPush: Bool
        var type: String
        var name: String
        var component: String
        var projects: [Option]
        var interval: String
        var timeout: String
        var failureThreshold: String
        var recoveryThreshold: String
        var methods: [Option]
        var url: String
        var headerNames: String?
        var expectedStatus: String
        var keyword: String
        var keywordAbsent: Bool
        var jsonPath: String
        var jsonExpected: String
        var followRedirects: Bool
        var degradedAbove: String
        var certificateDays: String
        var host: String
        var port: String
        var connection: String
        var query: String
        var schedule: String
        var timezone: String
        var grace: String
        var maxRuntime: String
    }

    func addFormRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/monitors/new") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let type = MonitorType(rawValue: Form.query(of: request)["type"] ?? "") ?? .http
            return templates.page("monitor_form", formView(scope, spec: MonitorSpec(name: "", type: type.rawValue), existing: nil, error: nil))
        }
        router.post("organizations/:org/monitors/new") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let (form, _) = try await Form.body(of: request)
            let spec = Self.spec(form)
            do {
                let monitor = try await service.create(in: scope.organization.id, try spec.draft(projectID: project(form, scope)))
                context.logger.info("Created a monitor", metadata: ["monitor.id": "\(monitor.id)", "monitor.type": "\(monitor.type.rawValue)"])
                return redirect("\(scope.orgPath)/monitors/\(monitor.id)/")
            } catch let error as ValidationError {
                return templates.page("monitor_form", formView(scope, spec: spec, existing: nil, error: error.description), status: .badRequest)
            }
        }
        router.get("organizations/:org/monitors/:id/edit") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let monitor = try await monitor(scope, context)
            return templates.page("monitor_form", formView(scope, spec: Self.spec(of: monitor), existing: monitor, error: nil))
        }
        router.post("organizations/:org/monitors/:id/edit") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .health)
            let existing = try await monitor(scope, context)
            let (form, _) = try await Form.body(of: request)
            var spec = Self.spec(form)
            spec.type = existing.type.rawValue
            do {
                let draft = try spec.draft(projectID: project(form, scope), existing: existing)
                _ = try await service.monitors.update(existing.id, draft, now: service.now())
                return redirect("\(scope.orgPath)/monitors/\(existing.id)/")
            } catch let error as ValidationError {
                return templates.page("monitor_form", formView(scope, spec: spec, existing: existing, error: error.description), status: .badRequest)
            }
        }
    }

    func project(_ form: Form, _ scope: PageScope) -> ProjectID? {
        guard let slug = form.text("project") else { return nil }
        return scope.projects.first { $0.slug.rawValue == slug }?.id
    }

    /// A spec from the form's fields; empty secret fields on an edit keep the stored secrets.
    static func spec(_ form: Form) -> MonitorSpec {
        var spec = MonitorSpec(name: form["name"] ?? "", type: form["type"] ?? "http")
        spec.component = form.text("component")
        spec.intervalSeconds = form.text("interval_seconds").flatMap { Int($0) } ?? (form.text("interval_seconds") == nil ? nil : 0)
        spec.timeoutSeconds = form.text("timeout_seconds").flatMap { Int($0) }
        spec.failureThreshold = form.text("failure_threshold").flatMap { Int($0) }
        spec.recoveryThreshold = form.text("recovery_threshold").flatMap { Int($0) }
        spec.method = form.text("method")
        spec.url = form.text("url")
        if let text = form.text("headers") {
            var headers: [String: String] = [:]
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { headers[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            spec.headers = headers
        }
        spec.body = form.text("body")
        spec.expectedStatus = form.text("expected_status")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        spec.keyword = form.text("keyword")
        spec.keywordAbsent = form["keyword_absent"] == "on"
        spec.jsonPath = form.text("json_path")
        spec.jsonExpected = form.text("json_expected")
        spec.followRedirects = form["follow_redirects"] == "on"
        spec.degradedAboveMs = form.text("degraded_above_ms").flatMap { Int($0) }
        spec.certificateExpiryDays = form.text("certificate_expiry_days").flatMap { Int($0) }
        spec.host = form.text("host")
        spec.port = form.text("port").flatMap { Int($0) } ?? (form.text("port") == nil ? nil : 0)
        spec.connectionString = form.text("connection_string")
        spec.query = form.text("query")
        spec.schedule = form.text("schedule")
        spec.timezone = form.text("timezone")
        spec.graceSeconds = form.text("grace_seconds").flatMap { Int($0) }
        spec.maxRuntimeSeconds = form.text("max_runtime_seconds").flatMap { Int($0) }
        return spec
    }

    /// A stored monitor as a spec, secrets left out.
    static func spec(of monitor: Monitor) -> MonitorSpec {
        var spec = MonitorSpec(name: monitor.name, type: monitor.type.rawValue)
        spec.component = monitor.component
        spec.intervalSeconds = monitor.intervalSeconds
        spec.timeoutSeconds = monitor.timeoutSeconds
        spec.failureThreshold = monitor.failureThreshold
        spec.recoveryThreshold = monitor.recoveryThreshold
        switch monitor.target {
        case .http(let http):
            spec.method = http.method
            spec.url = http.url
            spec.expectedStatus = http.expectedStatus.map(\.description)
            spec.keyword = http.keyword
            spec.keywordAbsent = http.keywordAbsent
            spec.jsonPath = http.jsonPath
            spec.jsonExpected = http.jsonExpected
            spec.followRedirects = http.followRedirects
            spec.degradedAboveMs = http.degradedAboveMilliseconds
            spec.certificateExpiryDays = http.certificateExpiryDays
            spec.headers = Dictionary(uniqueKeysWithValues: http.headers.keys.map { ($0, "") })
        case .tcp(let tcp):
            spec.host = tcp.host
            spec.port = tcp.port
        case .postgres(let postgres):
            spec.query = postgres.query
        case .heartbeat(let heartbeat), .cron(let heartbeat):
            spec.schedule = heartbeat.schedule.crontab
            spec.timezone = heartbeat.schedule.timeZoneName
            spec.graceSeconds = heartbeat.graceSeconds
            spec.maxRuntimeSeconds = heartbeat.maxRuntimeSeconds
        }
        return spec
    }

    func formView(_ scope: PageScope, spec: MonitorSpec, existing: Monitor?, error: String?) -> FormView {
        let type = MonitorType(rawValue: spec.type) ?? .http
        let projectSlug = existing?.projectID.flatMap { id in scope.projects.first { $0.id == id }?.slug.rawValue }
        let labels: [MonitorType: String] = [.http: "HTTP(S)", .tcp: "TCP port", .postgres: "PostgreSQL", .heartbeat: "Heartbeat (cron job pings)"]
        return FormView(
            chrome: scope.chrome,
            heading: existing == nil ? "Add a monitor" : "Edit \(existing!.name)",
            action: existing.map { "\(scope.orgPath)/monitors/\($0.id)/edit" } ?? "\(scope.orgPath)/monitors/new",
            cancel: existing.map { "\(scope.orgPath)/monitors/\($0.id)/" } ?? "\(scope.orgPath)/health/",
            error: error,
            types: [MonitorType.http, .tcp, .postgres, .heartbeat].map { FormView.Option(value: $0.rawValue, label: labels[$0] ?? $0.rawValue, selected: $0 == type) },
            isNew: existing == nil,
            isHTTP: type == .http, isTCP: type == .tcp, isPostgres: type == .postgres, isPush: type == .heartbeat || type == .cron,
            type: type.rawValue,
            name: spec.name, component: spec.component ?? "",
            projects: [FormView.Option(value: "", label: "None", selected: projectSlug == nil)]
                + scope.projects.map { FormView.Option(value: $0.slug.rawValue, label: $0.name, selected: $0.slug.rawValue == projectSlug) },
            interval: spec.intervalSeconds.map(String.init) ?? "60",
            timeout: spec.timeoutSeconds.map(String.init) ?? "",
            failureThreshold: spec.failureThreshold.map(String.init) ?? "2",
            recoveryThreshold: spec.recoveryThreshold.map(String.init) ?? "2",
            methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].map { FormView.Option(value: $0, label: $0, selected: $0 == (spec.method ?? "GET")) },
            url: spec.url ?? "",
            headerNames: (spec.headers ?? [:]).isEmpty ? nil : (spec.headers ?? [:]).keys.sorted().joined(separator: ", "),
            expectedStatus: (spec.expectedStatus ?? ["200-399"]).joined(separator: ", "),
            keyword: spec.keyword ?? "", keywordAbsent: spec.keywordAbsent ?? false,
            jsonPath: spec.jsonPath ?? "", jsonExpected: spec.jsonExpected ?? "",
            followRedirects: spec.followRedirects ?? true,
            degradedAbove: spec.degradedAboveMs.map(String.init) ?? "",
            certificateDays: spec.certificateExpiryDays.map(String.init) ?? "14",
            host: spec.host ?? "", port: spec.port.map(String.init) ?? "",
            connection: "", query: spec.query ?? "",
            schedule: spec.schedule ?? "", timezone: spec.timezone ?? "UTC",
            grace: spec.graceSeconds.map(String.init) ?? "60", maxRuntime: spec.maxRuntimeSeconds.map(String.init) ?? "")
    }
}
