import Foundation
import Hummingbird
import Logging
import TelltaleCore
import TelltaleHTTP

/// The alerting forms. Each builds the API's JSON shape and decodes it with the same types,
/// so a rule made here is checked exactly like one posted by a script.
extension AlertsDashboard {
    func addFormRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.post("organizations/:org/alerts/channels") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .alerts)
            let (form, _) = try await Form.body(of: request)
            do {
                let (name, config) = try channelSettings(form)
                let channel = try await alerts.createChannel(organizationID: scope.organization.id, name: name, config: config, now: Date())
                context.logger.info("Created a channel", metadata: ["channel.id": "\(channel.id)", "channel.type": "\(config.type.rawValue)"])
                return redirect("\(scope.orgPath)/alerts/#channels")
            } catch let error as ValidationError {
                return dashboard.templates.page("alerts", try await view(scope, error: "Channel not created: \(error.field) \(error.reason)."), status: .badRequest)
            }
        }
        router.post("organizations/:org/alerts/channels/:id/test") { _, context -> Response in
            let (scope, channel) = try await channel(context)
            return try await test(channel, scope: scope)
        }
        router.post("organizations/:org/alerts/channels/:id/delete") { _, context -> Response in
            let (scope, channel) = try await channel(context)
            _ = try await alerts.deleteChannel(channel.id)
            return redirect("\(scope.orgPath)/alerts/#channels")
        }
        // Each person's own contact methods: any member adds, tests and deletes their own.
        router.post("organizations/:org/alerts/contact-methods") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .alerts)
            let (form, _) = try await Form.body(of: request)
            do {
                let (name, config) = try channelSettings(form)
                _ = try await alerts.createContactMethod(organizationID: scope.organization.id, userID: scope.principal.user.id, name: name, config: config, now: Date())
                return redirect("\(scope.orgPath)/alerts/#contact-methods")
            } catch let error as ValidationError {
                return dashboard.templates.page("alerts", try await view(scope, error: "Contact method not added: \(error.field) \(error.reason)."), status: .badRequest)
            }
        }
        router.post("organizations/:org/alerts/contact-methods/:id/test") { _, context -> Response in
            let (scope, method) = try await contactMethod(context)
            return try await test(method, scope: scope)
        }
        router.post("organizations/:org/alerts/contact-methods/:id/delete") { _, context -> Response in
            let (scope, method) = try await contactMethod(context)
            _ = try await alerts.deleteChannel(method.id)
            return redirect("\(scope.orgPath)/alerts/#contact-methods")
        }
        router.post("organizations/:org/alerts/rules") { request, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .alerts)
            let (form, _) = try await Form.body(of: request)
            do {
                let draft = try Self.draft(form)
                _ = try await alerts.createRule(organizationID: scope.organization.id, draft, now: Date())
                return redirect("\(scope.orgPath)/alerts/#rules")
            } catch let error as ValidationError {
                return dashboard.templates.page("alerts", try await view(scope, error: "Rule not created: \(error.field) \(error.reason)."), status: .badRequest)
            }
        }
        router.post("organizations/:org/alerts/rules/:id/toggle") { _, context -> Response in
            let (scope, rule) = try await rule(context)
            var draft = rule.draft
            draft.enabled.toggle()
            _ = try await alerts.updateRule(rule.id, draft, now: Date())
            return redirect("\(scope.orgPath)/alerts/#rules")
        }
        router.post("organizations/:org/alerts/rules/:id/delete") { _, context -> Response in
            let (scope, rule) = try await rule(context)
            _ = try await alerts.deleteRule(rule.id)
            return redirect("\(scope.orgPath)/alerts/#rules")
        }
        router.post("organizations/:org/alerts/silences") { request, context -> Response in
            // Members silence; admins edit the rest.
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .alerts)
            let (form, _) = try await Form.body(of: request)
            do {
                guard let key = form.text("key"), let value = form.text("value") else { throw ValidationError(field: "matchers", reason: "need a label and a value") }
                guard let hours = Double(form["hours"] ?? ""), hours > 0, hours <= 24 * 90 else { throw ValidationError(field: "ends_at", reason: "the duration is 1 minute to 90 days") }
                let now = Date()
                _ = try await alerts.createSilence(organizationID: scope.organization.id, matchers: [try Silence.Matcher(key: key, value: value)],
                                                   startsAt: now, endsAt: now.addingTimeInterval(hours * 3_600), createdBy: scope.principal.user.id,
                                                   comment: String((form["comment"] ?? "").prefix(1000)), now: now)
                return redirect("\(scope.orgPath)/alerts/#silences")
            } catch let error as ValidationError {
                return dashboard.templates.page("alerts", try await view(scope, error: "Silence not created: \(error.field) \(error.reason)."), status: .badRequest)
            }
        }
        router.post("organizations/:org/alerts/silences/:id/delete") { _, context -> Response in
            let scope = try await dashboard.scope(context.parameters.require("org"), context, .triage, section: .alerts)
            guard let id = Int64(try context.parameters.require("id")) else { throw APIError.notFound("silence not found") }
            _ = try await alerts.deleteSilence(SilenceID(id), organizationID: scope.organization.id)
            return redirect("\(scope.orgPath)/alerts/#silences")
        }
    }

    func channel(_ context: TelltaleRequestContext) async throws -> (PageScope, Channel) {
        let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .alerts)
        let idText = try context.parameters.require("id")
        guard let id = Int64(idText), let channel = try await alerts.channel(id: ChannelID(id)), channel.organizationID == scope.organization.id else {
            throw APIError.notFound("channel '\(idText)' not found")
        }
        return (scope, channel)
    }

    /// The signed-in person's own contact method named in the path.
    func contactMethod(_ context: TelltaleRequestContext) async throws -> (PageScope, Channel) {
        let scope = try await dashboard.scope(context.parameters.require("org"), context, .view, section: .alerts)
        let idText = try context.parameters.require("id")
        guard let id = Int64(idText), let method = try await alerts.channel(id: ChannelID(id)), method.organizationID == scope.organization.id,
              method.ownerUserID == scope.principal.user.id else {
            throw APIError.notFound("contact method '\(idText)' not found")
        }
        return (scope, method)
    }

    /// A channel's name and settings from the form, checked as the API checks them.
    func channelSettings(_ form: Form) throws -> (String, ChannelConfig) {
        guard let type = ChannelType(rawValue: form["type"] ?? "") else { throw ValidationError(field: "type", reason: "choose a channel type") }
        if type == .email, !smtpConfigured {
            throw ValidationError(field: "config.to", reason: "cannot be used yet: email channels need smtp.url and smtp.from in the server configuration")
        }
        guard let name = form.text("name"), name.count <= 200 else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        let target = form.text("target")
        return (name, try ChannelConfig.make(type: type, to: target.map { $0.split(separator: ",").map(String.init) }, url: target,
                                             secret: form.text("secret"), headers: nil, template: nil, routingKey: target))
    }

    /// "Send test": the outcome shown on the page.
    func test(_ channel: Channel, scope: PageScope) async throws -> Response {
        let message = NotificationMessage.test(channel: channel, organization: scope.organization.slug.rawValue,
                                               link: "\(dashboard.publicURL)\(scope.orgPath)/alerts/", sentAt: Date())
        let attempt = await sendTest(channel, message)
        let text = "Test to \(channel.name): \(Self.outcome(attempt.decision))"
            + (attempt.statusCode.map { " (\($0))" } ?? "") + (attempt.error.map { ": \($0)" } ?? "") + "."
        if case .delivered = attempt.decision { return dashboard.templates.page("alerts", try await view(scope, message: text)) }
        return dashboard.templates.page("alerts", try await view(scope, error: text))
    }

    func rule(_ context: TelltaleRequestContext) async throws -> (PageScope, AlertRule) {
        let scope = try await dashboard.scope(context.parameters.require("org"), context, .manage, section: .alerts)
        let idText = try context.parameters.require("id")
        guard let id = Int64(idText), let rule = try await alerts.rule(id: AlertRuleID(id)), rule.organizationID == scope.organization.id else {
            throw APIError.notFound("rule '\(idText)' not found")
        }
        return (scope, rule)
    }

    /// The rule form as the API's JSON, decoded by the same `AlertRuleDraft`.
    static func draft(_ form: Form) throws -> AlertRuleDraft {
        var condition: [String: Any] = [:]
        switch form["condition"] ?? "" {
        case "new_issue", "regression": condition = ["type": form["condition"]!]
        case "frequency": condition = ["type": "frequency", "count": Int(form["count"] ?? "") ?? 0, "window_seconds": (Int(form["window_minutes"] ?? "") ?? 0) * 60]
        case "error_rate": condition = ["type": "error_rate", "per_minute": Int(form["count"] ?? "") ?? 0]
        case "level": condition = ["type": "level", "at_least": form["level"] ?? "error"]
        case "monitor_down": condition = ["type": "monitor_status", "status": "down"]
        case "monitor_degraded": condition = ["type": "monitor_status", "status": "degraded"]
        case "monitor_recovered": condition = ["type": "monitor_status", "status": "up"]
        case "heartbeat": condition = ["type": "heartbeat", "run": "any"]
        // Performance thresholds: N is the limit in milliseconds, the window is trailing.
        case "latency_threshold":
            condition = ["type": "latency_threshold", "percentile": "p95", "milliseconds": Int(form["count"] ?? "") ?? 0,
                         "window_seconds": (Int(form["window_minutes"] ?? "") ?? 0) * 60]
        case "apdex_below":
            condition = ["type": "apdex_below", "threshold": Double(form["apdex"] ?? "") ?? 0, "window_seconds": (Int(form["window_minutes"] ?? "") ?? 0) * 60]
        case "web_vital_poor": condition = ["type": "web_vital_poor", "window_seconds": (Int(form["window_minutes"] ?? "") ?? 0) * 60]
        default: throw ValidationError(field: "conditions", reason: "choose a condition")
        }
        var filters: [[String: Any]] = []
        if let level = form.text("min_level") { filters.append(["type": "level", "at_least": level]) }
        if let project = form.text("project") { filters.append(["type": "project", "ids": [project]]) }
        if let environment = form.text("environment") { filters.append(["type": "environment", "values": [environment]]) }
        let rule: [String: Any] = [
            "name": form["name"] ?? "", "match": "any", "conditions": [condition], "filters": filters,
            "actions": [["type": "notify", "channels": form.all("channel"), "roles": form.all("role")]],
            "action_interval_seconds": (Int(form["interval_minutes"] ?? "") ?? 5) * 60,
            "send_resolved": form["send_resolved"] == "on",
        ]
        let data = try JSONSerialization.data(withJSONObject: rule)
        do {
            return try JSONDecoder().decode(AlertRuleDraft.self, from: data)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError(field: "rule", reason: "is incomplete")
        }
    }
}
