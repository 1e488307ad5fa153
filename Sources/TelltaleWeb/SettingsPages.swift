import Foundation
import Hummingbird
import TelltaleCore
import TelltaleHTTP

/// Organization settings: projects, their keys (DSNs) and ingest options.
extension Dashboard {
    struct SettingsView {
        struct ProjectItem { var slug: String; var name: String; var platform: String; var href: String; var dsn: String? }
        var chrome: Chrome
        var projects: [ProjectItem]
        var action: String
        var membersHref: String
        var classificationHref: String
        var auditHref: String
    }

    struct ProjectView {
        struct Key {
            var id: String
            var label: String
            var dsn: String
            var isActive: Bool
            var rateLimit: String
            var created: String
        }
        struct IPOption { var value: String; var selected: Bool }
        var chrome: Chrome
        var name: String
        var slug: String
        var platform: String
        var base: String
        var settingsHref: String
        var keys: [Key]
        var sampleRate: String
        var retentionDays: Int
        var scrubbingEnabled: Bool
        var hashUserIDs: Bool
        var personalData: Bool
        var keepUserEmail: Bool
        var ipOptions: [IPOption]
        var sensitiveFields: String
        var safeFields: String
    }

    func addSettingsRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("organizations/:org/settings/") { _, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .view, section: .settings)
            var items: [SettingsView.ProjectItem] = []
            for project in scope.projects {
                let key = try await repositories.projects.keys(projectID: project.id).first(where: \.isActive)
                items.append(.init(slug: project.slug.rawValue, name: project.name, platform: project.platform,
                                   href: "\(scope.orgPath)/settings/projects/\(project.slug.rawValue)/", dsn: key.map(dsn)))
            }
            return templates.page("settings", SettingsView(chrome: scope.chrome, projects: items, action: "\(scope.orgPath)/settings/projects",
                                                           membersHref: "\(scope.orgPath)/settings/members/", classificationHref: "\(scope.orgPath)/settings/classification/",
                                                           auditHref: "\(scope.orgPath)/settings/audit-log/"))
        }
        router.post("organizations/:org/settings/projects") { request, context -> Response in
            let scope = try await scope(context.parameters.require("org"), context, .manage, section: .settings)
            let (form, _) = try await Form.body(of: request)
            let (project, _) = try await accounts.createProject(organizationID: scope.organization.id, slug: form.text("slug"),
                                                                name: form["name"] ?? "", platform: form.text("platform"))
            return redirect("\(scope.orgPath)/settings/projects/\(project.slug.rawValue)/")
        }
        router.get("organizations/:org/settings/projects/:project/") { _, context -> Response in
            let (scope, project) = try await projectScope(context, .view)
            return templates.page("project", try await projectView(project, scope: scope))
        }
        router.post("organizations/:org/settings/projects/:project/name") { request, context -> Response in
            let (scope, project) = try await projectScope(context, .manage)
            let (form, _) = try await Form.body(of: request)
            guard let name = form.text("name"), name.count <= 100 else { throw APIError.badRequest("a project name needs 1 to 100 characters") }
            try await repositories.projects.rename(project.id, to: name)
            return redirect("\(scope.orgPath)/settings/projects/\(project.slug.rawValue)/")
        }
        router.post("organizations/:org/settings/projects/:project/ingest") { request, context -> Response in
            let (scope, project) = try await projectScope(context, .manage)
            let (form, _) = try await Form.body(of: request)
            var settings = project.settings
            guard let percent = Double(form["sample_percent"] ?? ""), (0...100).contains(percent) else {
                throw APIError.badRequest("the sample rate is a percentage from 0 to 100")
            }
            guard let days = Int(form["retention_days"] ?? ""), (1...3650).contains(days) else {
                throw APIError.badRequest("retention is 1 to 3,650 days")
            }
            settings.sampleRate = percent / 100
            settings.retentionDays = days
            settings.scrubbing.enabled = form["scrubbing"] == "on"
            settings.scrubbing.hashUserIDs = form["hash_user_ids"] == "on"
            settings.scrubbing.personalData = form["personal_data"] == "on"
            settings.scrubbing.keepUserEmail = form["keep_user_email"] == "on"
            settings.scrubbing.ipAddresses = ScrubbingPolicy.IPAddressHandling(rawValue: form["ip_addresses"] ?? "") ?? settings.scrubbing.ipAddresses
            settings.scrubbing.sensitiveFields = Self.fieldList(form["sensitive_fields"])
            settings.scrubbing.safeFields = Self.fieldList(form["safe_fields"])
            try await repositories.projects.updateSettings(settings, for: project.id)
            return redirect("\(scope.orgPath)/settings/projects/\(project.slug.rawValue)/#ingest")
        }
        router.post("organizations/:org/settings/projects/:project/keys") { request, context -> Response in
            let (scope, project) = try await projectScope(context, .manage)
            let (form, _) = try await Form.body(of: request)
            _ = try await accounts.createKey(projectID: project.id, label: form.text("label") ?? "Default")
            return redirect("\(scope.orgPath)/settings/projects/\(project.slug.rawValue)/#keys")
        }
        router.post("organizations/:org/settings/projects/:project/keys/:key") { request, context -> Response in
            let (scope, project) = try await projectScope(context, .manage)
            let (form, _) = try await Form.body(of: request)
            let keyText = try context.parameters.require("key")
            guard let key = try await repositories.projects.keys(projectID: project.id).first(where: { $0.id.description == keyText }) else {
                throw APIError.notFound("key '\(keyText)' not found")
            }
            switch form["action"] ?? "" {
            case "deactivate": try await repositories.projects.updateKey(id: key.id, isActive: false, rateLimitPerMinute: key.rateLimitPerMinute)
            case "activate": try await repositories.projects.updateKey(id: key.id, isActive: true, rateLimitPerMinute: key.rateLimitPerMinute)
            case "rotate":
                // A new key takes over; the old one stops accepting events.
                let fresh = try await accounts.createKey(projectID: project.id, label: key.label)
                try await repositories.projects.updateKey(id: fresh.id, isActive: true, rateLimitPerMinute: key.rateLimitPerMinute)
                try await repositories.projects.updateKey(id: key.id, isActive: false, rateLimitPerMinute: key.rateLimitPerMinute)
            case "rate_limit":
                let text = (form["rate_limit"] ?? "").trimmingCharacters(in: .whitespaces)
                let limit: Int? = text.isEmpty ? nil : Int(text)
                guard text.isEmpty || (limit.map { (1...100_000_000).contains($0) } ?? false) else {
                    throw APIError.badRequest("the rate limit is a number of events per minute, or empty for none")
                }
                try await repositories.projects.updateKey(id: key.id, isActive: key.isActive, rateLimitPerMinute: limit)
            default: throw APIError.badRequest("unknown key action")
            }
            return redirect("\(scope.orgPath)/settings/projects/\(project.slug.rawValue)/#keys")
        }
    }

    func projectScope(_ context: TelltaleRequestContext, _ action: Action) async throws -> (PageScope, Project) {
        let scope = try await scope(context.parameters.require("org"), context, action, section: .settings)
        let slug = try context.parameters.require("project")
        guard let project = scope.projects.first(where: { $0.slug.rawValue == slug }) else { throw APIError.notFound("project '\(slug)' not found") }
        return (scope, project)
    }

    func projectView(_ project: Project, scope: PageScope) async throws -> ProjectView {
        let keys = try await repositories.projects.keys(projectID: project.id)
        let base = "\(scope.orgPath)/settings/projects/\(project.slug.rawValue)"
        let scrubbing = project.settings.scrubbing
        return ProjectView(
            chrome: scope.chrome,
            name: project.name,
            slug: project.slug.rawValue,
            platform: project.platform,
            base: base,
            settingsHref: "\(scope.orgPath)/settings/",
            keys: keys.map { .init(id: $0.id.description, label: $0.label, dsn: dsn($0), isActive: $0.isActive,
                                   rateLimit: $0.rateLimitPerMinute.map(String.init) ?? "", created: WebFormat.day($0.createdAt)) },
            sampleRate: String(format: "%g", project.settings.sampleRate * 100),
            retentionDays: project.settings.retentionDays,
            scrubbingEnabled: scrubbing.enabled,
            hashUserIDs: scrubbing.hashUserIDs,
            personalData: scrubbing.personalData,
            keepUserEmail: scrubbing.keepUserEmail,
            ipOptions: ScrubbingPolicy.IPAddressHandling.allCases.map { .init(value: $0.rawValue, selected: $0 == scrubbing.ipAddresses) },
            sensitiveFields: scrubbing.sensitiveFields.joined(separator: ", "),
            safeFields: scrubbing.safeFields.joined(separator: ", ")
        )
    }

    static func fieldList(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.prefix(200).map { String($0.prefix(100)) }
    }
}
