public import Foundation
public import Hummingbird
import Logging
public import TelltaleAlerting
public import TelltaleCore
public import TelltaleHTTP

/// Alert rules, channels, calendars, silences and the alert history. Viewers read, members
/// silence, admins edit rules, channels and calendars.
public struct AlertsController: Sendable {
    let repositories: Repositories
    let delivery: NotificationDelivery
    let smtpConfigured: Bool
    let now: @Sendable () -> Date

    public init(repositories: Repositories, delivery: NotificationDelivery, smtpConfigured: Bool, now: @escaping @Sendable () -> Date = Date.init) {
        self.repositories = repositories
        self.delivery = delivery
        self.smtpConfigured = smtpConfigured
        self.now = now
    }

    var alerts: any AlertRepository { repositories.alerts }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        @Sendable func organization(_ context: TelltaleRequestContext, _ action: Action) async throws -> Organization {
            try await authorizer.organization(context.parameters.require("org"), try context.requirePrincipal(), action,
                                              scope: action == .view ? .projectRead : .projectWrite)
        }

        router.get("organizations/:org/channels/") { _, context -> [ChannelBody] in
            try await alerts.channels(organizationID: organization(context, .view).id).map(ChannelBody.init)
        }
        router.post("organizations/:org/channels/") { request, context -> EditedResponse<ChannelBody> in
            let input = try await request.decode(as: ChannelInput.self, context: context)
            let owner = try await organization(context, .manage)
            let (name, config) = try channelSettings(input)
            let channel = try await alerts.createChannel(organizationID: owner.id, name: name, config: config, now: now())
            context.logger.info("Created a channel", metadata: ["channel.id": "\(channel.id)", "channel.type": "\(config.type.rawValue)"])
            return EditedResponse(status: .created, response: ChannelBody(channel))
        }
        router.delete("channels/:id/") { _, context -> HTTPResponse.Status in
            let (_, channel) = try await owned(authorizer, "channel", context, .manage) { try await alerts.channel(id: ChannelID($0)) }
            _ = try await alerts.deleteChannel(channel.id)
            return .noContent
        }
        router.post("channels/:id/test") { _, context -> TestResultBody in
            let (organization, channel) = try await owned(authorizer, "channel", context, .manage) { try await alerts.channel(id: ChannelID($0)) }
            let message = NotificationMessage.test(channel: channel, organization: organization.slug.rawValue, link: "", sentAt: now())
            return TestResultBody(item: AlertHistoryBody.AttemptItem(await delivery.sendNow(channel, message)))
        }

        // A person's own contact methods: every member manages their own.
        router.get("organizations/:org/contact-methods/") { _, context -> [ChannelBody] in
            let principal = try context.requirePrincipal()
            return try await alerts.contactMethods(organizationID: organization(context, .view).id, userID: principal.user.id).map(ChannelBody.init)
        }
        router.post("organizations/:org/contact-methods/") { request, context -> EditedResponse<ChannelBody> in
            let input = try await request.decode(as: ChannelInput.self, context: context)
            let principal = try context.requirePrincipal()
            let owner = try await authorizer.organization(context.parameters.require("org"), principal, .view, scope: .projectWrite)
            let (name, config) = try channelSettings(input)
            let method = try await alerts.createContactMethod(organizationID: owner.id, userID: principal.user.id, name: name, config: config, now: now())
            context.logger.info("Created a contact method", metadata: ["channel.id": "\(method.id)", "channel.type": "\(config.type.rawValue)"])
            return EditedResponse(status: .created, response: ChannelBody(method))
        }
        router.delete("contact-methods/:id/") { _, context -> HTTPResponse.Status in
            _ = try await alerts.deleteChannel(try await ownContactMethod(context).id)
            return .noContent
        }
        router.post("contact-methods/:id/test") { _, context -> TestResultBody in
            let method = try await ownContactMethod(context)
            guard let organization = try await repositories.organizations.organization(id: method.organizationID) else { throw APIError.notFound("contact method not found") }
            let message = NotificationMessage.test(channel: method, organization: organization.slug.rawValue, link: "", sentAt: now())
            return TestResultBody(item: AlertHistoryBody.AttemptItem(await delivery.sendNow(method, message)))
        }

        router.get("organizations/:org/calendars/") { _, context -> [CalendarBody] in
            try await alerts.calendars(organizationID: organization(context, .view).id).map(CalendarBody.init)
        }
        router.post("organizations/:org/calendars/") { request, context -> EditedResponse<CalendarBody> in
            let input = try await request.decode(as: CalendarInput.self, context: context)
            let owner = try await organization(context, .manage)
            let name = (input.name ?? "").trimmingCharacters(in: .whitespaces)
            guard (1...200).contains(name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
            let zone = try TimeZone.named(input.timezone ?? "UTC")
            guard let windows = input.windows, !windows.isEmpty else { throw ValidationError(field: "windows", reason: "must have at least one window") }
            let calendar = try await alerts.createCalendar(organizationID: owner.id, name: name, timeZone: zone, windows: windows, now: now())
            return EditedResponse(status: .created, response: CalendarBody(calendar))
        }

        router.get("organizations/:org/alert-rules/") { _, context -> [RuleBody] in
            try await alerts.rules(organizationID: organization(context, .view).id).map(RuleBody.init)
        }
        router.post("organizations/:org/alert-rules/") { request, context -> EditedResponse<RuleBody> in
            let draft = try await request.decode(as: AlertRuleDraft.self, context: context)
            let owner = try await organization(context, .manage)
            try await check(draft, in: owner)
            let rule = try await alerts.createRule(organizationID: owner.id, draft, now: now())
            context.logger.info("Created an alert rule", metadata: ["rule.id": "\(rule.id)"])
            return EditedResponse(status: .created, response: RuleBody(rule))
        }
        router.get("alert-rules/:id/") { _, context -> RuleBody in
            RuleBody(try await owned(authorizer, "alert rule", context, .view) { try await alerts.rule(id: AlertRuleID($0)) }.1)
        }
        router.put("alert-rules/:id/") { request, context -> RuleBody in
            let draft = try await request.decode(as: AlertRuleDraft.self, context: context)
            let (owner, rule) = try await owned(authorizer, "alert rule", context, .manage) { try await alerts.rule(id: AlertRuleID($0)) }
            try await check(draft, in: owner)
            guard let updated = try await alerts.updateRule(rule.id, draft, now: now()) else { throw APIError.notFound("alert rule not found") }
            return RuleBody(updated)
        }
        router.delete("alert-rules/:id/") { _, context -> HTTPResponse.Status in
            let (_, rule) = try await owned(authorizer, "alert rule", context, .manage) { try await alerts.rule(id: AlertRuleID($0)) }
            _ = try await alerts.deleteRule(rule.id)
            return .noContent
        }

        router.get("organizations/:org/silences/") { _, context -> [SilenceBody] in
            let at = now()
            return try await alerts.silences(organizationID: organization(context, .view).id, activeAt: nil).map { SilenceBody($0, now: at) }
        }
        router.post("organizations/:org/silences/") { request, context -> EditedResponse<SilenceBody> in
            let input = try await request.decode(as: SilenceInput.self, context: context)
            let owner = try await organization(context, .triage)
            let start = input.startsAt ?? now()
            guard let end = input.endsAt ?? input.durationSeconds.map({ start.addingTimeInterval(Double($0)) }) else {
                throw ValidationError(field: "ends_at", reason: "or duration_seconds is required")
            }
            let silence = try await alerts.createSilence(organizationID: owner.id, matchers: input.matchers ?? [], startsAt: start, endsAt: end,
                                                         createdBy: try context.requirePrincipal().user.id, comment: String((input.comment ?? "").prefix(1000)),
                                                         now: now())
            return EditedResponse(status: .created, response: SilenceBody(silence, now: now()))
        }
        router.delete("silences/:id/") { _, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            let hidden = APIError.notFound("silence not found")
            guard let id = Int64(try context.parameters.require("id")) else { throw hidden }
            // A silence is found through its organization: try each of the caller's.
            for (organization, _) in try await repositories.organizations.memberships(of: principal.user.id) {
                guard (try? await authorizer.check(principal, .triage, scope: .projectWrite, in: organization, hidden: hidden)) != nil else { continue }
                if try await alerts.deleteSilence(SilenceID(id), organizationID: organization.id) { return .noContent }
            }
            throw hidden
        }

        // The caller's own in-app notifications (the dashboard's bell), newest first.
        router.get("notifications/") { request, context -> [InboxBody] in
            let principal = try context.requirePrincipal()
            let limit = min(500, max(1, Int(request.uri.queryParameters.get("limit") ?? "") ?? 100))
            return try await alerts.inbox(userID: principal.user.id, limit: limit).map(InboxBody.init)
        }
        router.post("notifications/read") { request, context -> UnreadBody in
            let principal = try context.requirePrincipal()
            let input = try await request.decode(as: MarkReadInput.self, context: context)
            let ids = try (input.ids ?? []).map { text in
                guard let id = Int64(text) else { throw ValidationError(field: "ids", reason: "are notification ids, got '\(text)'") }
                return InboxNotificationID(id)
            }
            guard input.all == true || input.ids != nil else { throw ValidationError(field: "ids", reason: "give ids, or \"all\": true") }
            let marked = try await alerts.markRead(userID: principal.user.id, ids: input.all == true ? nil : ids, now: now())
            return UnreadBody(marked: marked, unread: try await alerts.unreadCount(userID: principal.user.id))
        }

        router.get("organizations/:org/alerts/") { request, context -> AlertHistoryBody in
            let owner = try await organization(context, .view)
            let limit = min(500, max(1, Int(request.uri.queryParameters.get("limit") ?? "") ?? 100))
            let fired = try await alerts.alerts(organizationID: owner.id, limit: limit)
            var notifications: [AlertHistoryBody.NotificationItem] = []
            for record in try await alerts.notifications(organizationID: owner.id, limit: limit) {
                notifications.append(.init(id: record.id.description, channelID: record.channelID?.description, channelType: record.channelType.rawValue,
                                           title: record.title, status: record.status,
                                           attempts: try await alerts.attempts(notificationID: record.id).map(AlertHistoryBody.AttemptItem.init),
                                           lastError: record.lastError, createdAt: record.createdAt, deliveredAt: record.deliveredAt))
            }
            return AlertHistoryBody(alerts: fired.map { alert in
                .init(id: alert.id.description, ruleID: alert.ruleID.description, subject: alert.firing.subject, status: alert.status.rawValue,
                      severity: alert.firing.severity.rawValue, title: alert.firing.title, reason: alert.firing.reason, link: alert.link,
                      resolution: alert.firing.isResolution, createdAt: alert.createdAt)
            }, notifications: notifications)
        }
    }

    /// The rule's channels, users and calendar must be the organization's own.
    func check(_ draft: AlertRuleDraft, in organization: Organization) async throws {
        let channels = Set(try await alerts.channels(organizationID: organization.id).map(\.id))
        for channel in draft.actions.flatMap(\.channels) where !channels.contains(channel) {
            throw ValidationError(field: "actions", reason: "name channel \(channel), which this organization does not have")
        }
        let members = Set(try await repositories.organizations.members(of: organization.id).map(\.0.id))
        for user in draft.actions.flatMap(\.users) where !members.contains(user) {
            throw ValidationError(field: "actions", reason: "name user \(user), who is not a member of this organization")
        }
        let runbooks = Set(try await repositories.incidents.runbooks(organizationID: organization.id).map(\.id))
        for runbook in draft.actions.compactMap(\.runbook) where !runbooks.contains(runbook) {
            throw ValidationError(field: "actions", reason: "name runbook \(runbook), which this organization does not have")
        }
        let policies = Set(try await repositories.incidents.policies(organizationID: organization.id).map(\.id))
        for policy in draft.actions.compactMap(\.incident?.policyID) where !policies.contains(policy) {
            throw ValidationError(field: "actions", reason: "name escalation policy \(policy), which this organization does not have")
        }
        if let calendar = draft.calendar, !(try await alerts.calendars(organizationID: organization.id).contains { $0.id == calendar.id }) {
            throw ValidationError(field: "calendar", reason: "names calendar \(calendar.id), which this organization does not have")
        }
    }

    /// The caller's own contact method named in the path (someone else's is not found).
    func ownContactMethod(_ context: TelltaleRequestContext) async throws -> Channel {
        let principal = try context.requirePrincipal()
        guard principal.tokenScopes.map({ AccessPolicy.covers($0, .projectWrite) }) ?? true, let id = Int64(try context.parameters.require("id")),
              let method = try await alerts.channel(id: ChannelID(id)), method.ownerUserID == principal.user.id else {
            throw APIError.notFound("contact method not found")
        }
        return method
    }

    /// A channel's (or contact method's) name and settings from the request, checked.
    func channelSettings(_ input: ChannelInput) throws -> (String, ChannelConfig) {
        guard let type = ChannelType(rawValue: input.type) else {
            throw APIError.badRequest("type must be one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if type == .email, !smtpConfigured {
            throw ValidationError(field: "config.to", reason: "cannot be used yet: email channels need smtp.url and smtp.from in the server configuration")
        }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespaces)
        guard (1...200).contains(name.count) else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        let config = input.config
        return (name, try ChannelConfig.make(type: type, to: config?.to, url: config?.url, secret: config?.secret, headers: config?.headers,
                                             template: config?.template, routingKey: config?.routingKey))
    }

    func owned<Thing: Sendable & Identified>(_ authorizer: Authorizer, _ what: String, _ context: TelltaleRequestContext, _ action: Action,
                                            find: @escaping (Int64) async throws -> Thing?) async throws -> (Organization, Thing) {
        try await authorizer.owned(what, context.parameters.require("id"), try context.requirePrincipal(), action,
                                   scope: action == .view ? .projectRead : .projectWrite, find: find, organizationOf: \.organizationID)
    }
}

/// The outcome of "send test".
public struct TestResultBody: ResponseEncodable, Sendable {
    var item: AlertHistoryBody.AttemptItem

    public func encode(to encoder: any Encoder) throws { try item.encode(to: encoder) }
}

/// Things that belong to an organization.
protocol Identified { var organizationID: OrganizationID { get } }
extension Channel: Identified {}
extension AlertRule: Identified {}
