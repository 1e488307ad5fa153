public import Foundation
public import Hummingbird
import Logging
public import TelltaleCore
public import TelltaleHTTP

/// Forwarders: a project's events sent on to Sentry, Datadog, New Relic or a webhook.
/// Members read them and their delivery log; managers create, change and delete them.
/// Credentials are stored and used, never shown back.
public struct ForwardersController: Sendable {
    let repositories: Repositories
    let now: @Sendable () -> Date
    /// Called after a change, so the forwarding pass picks it up at once.
    let changed: @Sendable () -> Void

    public init(repositories: Repositories, now: @escaping @Sendable () -> Date = Date.init, changed: @escaping @Sendable () -> Void) {
        self.repositories = repositories
        self.now = now
        self.changed = changed
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("projects/:org/:project/forwarders/") { _, context -> [ForwarderBody] in
            let (_, project) = try await authorizer.project(context.parameters.require("org"), context.parameters.require("project"),
                                                             try context.requirePrincipal(), .view, scope: .projectRead)
            return try await repositories.forwarders.forwarders(projectID: project.id).map { ForwarderBody($0, project: project.slug.rawValue) }
        }
        router.post("projects/:org/:project/forwarders/") { request, context -> EditedResponse<ForwarderBody> in
            let (organization, project) = try await authorizer.project(context.parameters.require("org"), context.parameters.require("project"),
                                                                        try context.requirePrincipal(), .manage, scope: .projectWrite)
            let input = try await request.decode(as: ForwarderInput.self, context: context)
            guard let typeText = input.type, let type = ForwarderType(rawValue: typeText) else {
                throw ValidationError(field: "type", reason: "must be one of sentry, datadog, newrelic, webhook")
            }
            let config = try ForwarderConfig.make(type: type, input.config ?? [:])
            let filters = input.filters ?? ForwarderFilters()
            try filters.validate()
            let forwarder = try await repositories.forwarders.create(organizationID: organization.id, projectID: project.id,
                                                                     name: try Self.name(input.name, default: type.rawValue), config: config,
                                                                     filters: filters, enabled: input.enabled ?? true, now: now())
            context.logger.info("Created a forwarder", metadata: ["forwarder.id": "\(forwarder.id)", "forwarder.type": "\(type.rawValue)"])
            changed()
            return EditedResponse(status: .created, response: ForwarderBody(forwarder, project: project.slug.rawValue))
        }
        router.get("forwarders/:id/") { _, context -> ForwarderBody in
            let (_, forwarder, project) = try await forwarder(context, authorizer, .view, .projectRead)
            return ForwarderBody(forwarder, project: project)
        }
        router.put("forwarders/:id/") { request, context -> ForwarderBody in
            var (_, forwarder, project) = try await forwarder(context, authorizer, .manage, .projectWrite)
            let input = try await request.decode(as: ForwarderInput.self, context: context)
            if let type = input.type, type != forwarder.type.rawValue {
                throw ValidationError(field: "type", reason: "cannot change (it is \(forwarder.type.rawValue)); create a new forwarder instead")
            }
            if let config = input.config {
                // Credentials left out keep their stored value: they are never shown back to be re-sent.
                let merged = forwarder.config.settings.merging(config) { _, new in new }
                forwarder.config = try ForwarderConfig.make(type: forwarder.type, merged)
            }
            if let filters = input.filters {
                try filters.validate()
                forwarder.filters = filters
            }
            if let name = input.name { forwarder.name = try Self.name(name, default: forwarder.name) }
            if let enabled = input.enabled { forwarder.enabled = enabled }
            try await repositories.forwarders.update(forwarder)
            changed()
            return ForwarderBody(forwarder, project: project)
        }
        router.delete("forwarders/:id/") { _, context -> HTTPResponse.Status in
            let (_, forwarder, _) = try await forwarder(context, authorizer, .manage, .projectWrite)
            try await repositories.forwarders.delete(id: forwarder.id)
            context.logger.info("Deleted a forwarder", metadata: ["forwarder.id": "\(forwarder.id)"])
            return .noContent
        }
        router.get("forwarders/:id/deliveries/") { request, context -> [ForwardDeliveryBody] in
            let (_, forwarder, _) = try await forwarder(context, authorizer, .view, .projectRead)
            let limit = min(500, max(1, request.uri.queryParameters.get("limit", as: Int.self) ?? 50))
            var bodies: [ForwardDeliveryBody] = []
            for delivery in try await repositories.forwarders.deliveries(forwarderID: forwarder.id, limit: limit) {
                let attempts = try await repositories.alerts.attempts(notificationID: delivery.id)
                bodies.append(ForwardDeliveryBody(delivery, attempts: attempts))
            }
            return bodies
        }
    }

    /// The forwarder a route names, with its organization and project slug, after checking the caller's role.
    func forwarder(_ context: TelltaleRequestContext, _ authorizer: Authorizer, _ action: Action, _ scope: Scope) async throws
        -> (Organization, Forwarder, String) {
        let (organization, forwarder) = try await authorizer.owned("forwarder", try context.parameters.require("id"), try context.requirePrincipal(),
                                                                   action, scope: scope, find: { try await repositories.forwarders.forwarder(id: ForwarderID($0)) },
                                                                   organizationOf: \.organizationID)
        let project = try await repositories.projects.project(id: forwarder.projectID)
        return (organization, forwarder, project?.slug.rawValue ?? "")
    }

    static func name(_ text: String?, default fallback: String) throws -> String {
        let name = (text ?? fallback).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw ValidationError(field: "name", reason: "must be 1 to 200 characters") }
        return name
    }
}

struct ForwarderInput: Decodable {
    var type: String?
    var name: String?
    var config: [String: String]?
    var filters: ForwarderFilters?
    var enabled: Bool?
}

public struct ForwarderBody: ResponseEncodable, Sendable {
    var id: String
    var type: String
    var name: String
    var project: String
    var config: [String: String]
    var filters: ForwarderFilters
    var enabled: Bool
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, type, name, project, config, filters, enabled, createdAt = "created_at"
    }

    init(_ forwarder: Forwarder, project: String) {
        id = forwarder.id.description
        type = forwarder.type.rawValue
        name = forwarder.name
        self.project = project
        config = forwarder.config.redacted
        filters = forwarder.filters
        enabled = forwarder.enabled
        createdAt = forwarder.createdAt
    }
}

public struct ForwardDeliveryBody: ResponseEncodable, Sendable {
    var id: String
    var events: Int
    var status: String
    /// Each attempt, in the alert history's shape.
    var attempts: [AlertHistoryBody.AttemptItem]
    var lastError: String?
    var createdAt: Date
    var deliveredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, events, status, attempts, lastError = "last_error", createdAt = "created_at", deliveredAt = "delivered_at"
    }

    init(_ delivery: ForwardDelivery, attempts: [DeliveryAttempt]) {
        id = delivery.id.description
        events = delivery.events
        status = delivery.status
        lastError = delivery.lastError
        createdAt = delivery.createdAt
        deliveredAt = delivery.deliveredAt
        self.attempts = attempts.map(AlertHistoryBody.AttemptItem.init)
    }
}
