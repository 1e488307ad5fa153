import Foundation
public import Hummingbird
import NIOCore
import SentryProtocol
public import TelltaleCore
public import TelltaleHTTP

/// The issues API: search and bulk triage per project, one issue's detail, triage, events,
/// comments, timeline, tags and hashes (unmerge). Paths follow Sentry's web API.
public struct IssuesController: Sendable {
    let repositories: Repositories
    let publicURL: String

    public init(repositories: Repositories, publicURL: String) {
        self.repositories = repositories
        self.publicURL = publicURL
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        let authorizer = Authorizer(repositories: repositories)
        router.get("projects/:org/:project/issues/") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let (organization, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .view, scope: .eventRead
            )
            let search = try Self.search(request, projects: [project.id], user: principal.user.id)
            let page = try await repositories.issues.search(search)
            let period = request.uri.queryParameters.get("statsPeriod") ?? "24h"
            let stats = try await stats(page.issues.map(\.id), period: period)
            let users = try await users(page.issues.flatMap { [$0.assignedTo, $0.resolvedBy] })
            let classes = try await repositories.issues.topTagValues(issueIDs: page.issues.map(\.id), keys: ["severity", "category"])
            let bodies = page.issues.map { issue in
                IssueBody(issue, project: project, organization: organization, users: users, publicURL: publicURL,
                          stats: stats.map { [period: $0[issue.id] ?? CountSeries(points: [])] }, classification: classes[issue.id] ?? [:])
            }
            return try Self.json(bodies, request: request, context: context, next: page.nextCursor)
        }
        router.put("projects/:org/:project/issues/") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let (organization, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .triage, scope: .eventWrite
            )
            let body = try await request.decode(as: IssueUpdateBody.self, context: context)
            let ids = try await targets(request, project: project, user: principal.user.id)
            if body.merge == 1 {
                guard ids.count >= 2 else { throw APIError.badRequest("merge needs at least two issues (?id=…&id=…)") }
                let issues = try await ids.asyncCompactMap { try await repositories.issues.issue(id: $0) }
                guard let target = Issue.mergeTarget(issues) else { throw APIError.notFound("no issues matched") }
                let merged = try await repositories.issues.merge(issues.map(\.id), into: target.id, by: principal.user.id, now: Date())
                let children = issues.map(\.id).filter { $0 != target.id }.map(String.init)
                return try Self.json(MergeResult(merge: .init(parent: String(merged?.id ?? target.id), children: children)), request: request, context: context)
            }
            let change = try await change(body, organization: organization)
            var updated: [Issue] = []
            for id in ids {
                if let issue = try await repositories.issues.update(id: id, change, by: principal.user.id, now: Date()) { updated.append(issue) }
            }
            let users = try await users(updated.flatMap { [$0.assignedTo, $0.resolvedBy] })
            return try Self.json(updated.map { IssueBody($0, project: project, organization: organization, users: users, publicURL: publicURL) },
                                 request: request, context: context)
        }
        router.delete("projects/:org/:project/issues/") { request, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            let (_, project) = try await authorizer.project(
                context.parameters.require("org"), context.parameters.require("project"), principal, .manage, scope: .eventAdmin
            )
            for id in try await targets(request, project: project, user: principal.user.id) { _ = try await repositories.issues.delete(id: id) }
            return .noContent
        }
        router.get("issues/:id/") { _, context -> IssueBody in
            let principal = try context.requirePrincipal()
            let (organization, project, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            let stats = try await stats([issue.id], period: "24h")
            let tags = try await repositories.issues.tags(issueID: issue.id, topValues: 10)
            let classification = Dictionary(tags.filter { ["severity", "category"].contains($0.key) }.compactMap { tag in tag.topValues.first.map { (tag.key, $0.value) } },
                                            uniquingKeysWith: { a, _ in a })
            return IssueBody(issue, project: project, organization: organization, users: try await users([issue.assignedTo, issue.resolvedBy]),
                             publicURL: publicURL, stats: stats.map { ["24h": $0[issue.id] ?? CountSeries(points: [])] }, tags: tags,
                             classification: classification)
        }
        router.put("issues/:id/") { request, context -> IssueBody in
            let principal = try context.requirePrincipal()
            let (organization, project, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .triage, scope: .eventWrite)
            let body = try await request.decode(as: IssueUpdateBody.self, context: context)
            let change = try await change(body, organization: organization)
            if body.severity != nil || body.category != nil || body.businessImpact != nil {
                let classification = try Classification.overridden(issue.classification, level: EventLevel(rawValue: issue.level) ?? .error,
                                                                   severity: body.severity, category: body.category, impact: body.businessImpact)
                try await repositories.classification.setClassification(issueID: issue.id, classification, by: principal.user.id, now: Date())
            }
            let stored = change.isEmpty ? try await repositories.issues.issue(id: issue.id)
                : try await repositories.issues.update(id: issue.id, change, by: principal.user.id, now: Date())
            guard let updated = stored else { throw APIError.notFound("issue '\(issue.id)' not found") }
            return IssueBody(updated, project: project, organization: organization, users: try await users([updated.assignedTo, updated.resolvedBy]),
                             publicURL: publicURL)
        }
        router.delete("issues/:id/") { _, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .manage, scope: .eventAdmin)
            _ = try await repositories.issues.delete(id: issue.id)
            return .accepted
        }
        router.get("issues/:id/events/") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            let limit = request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 50
            let page = try await repositories.issues.events(issueID: issue.id, cursor: request.uri.queryParameters.get("cursor"), limit: limit)
            let full = request.uri.queryParameters.get("full") == "true"
            let bodies = try page.events.map { try EventPayload.body($0, full: full) }
            return try Self.jsonValue(.array(bodies), request: request, next: page.nextCursor)
        }
        router.get("issues/:id/events/latest/") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            guard let latest = try await repositories.issues.events(issueID: issue.id, cursor: nil, limit: 1).events.first else {
                throw APIError.notFound("issue '\(issue.id)' has no events")
            }
            return try Self.jsonValue(try EventPayload.body(latest, full: true), request: request, next: nil)
        }
        router.get("issues/:id/comments/") { _, context -> [ActivityBody] in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            let notes = try await repositories.issues.activity(issueID: issue.id).filter { $0.kind == .note }
            let users = try await users(notes.map(\.userID))
            return notes.map { ActivityBody($0, users: users) }
        }
        router.post("issues/:id/comments/") { request, context -> EditedResponse<ActivityBody> in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .triage, scope: .eventWrite)
            let body = try await request.decode(as: CommentBody.self, context: context)
            let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= 10_000 else { throw APIError.badRequest("text must be 1 to 10000 characters") }
            let note = try await repositories.issues.addComment(issueID: issue.id, text: text, by: principal.user.id, now: Date())
            return EditedResponse(status: .created, response: ActivityBody(note, users: [principal.user.id: principal.user]))
        }
        router.get("issues/:id/activity/") { _, context -> [ActivityBody] in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            let activity = try await repositories.issues.activity(issueID: issue.id)
            let users = try await users(activity.map(\.userID))
            return activity.map { ActivityBody($0, users: users) }
        }
        router.get("issues/:id/tags/") { _, context -> [IssueBody.TagBody] in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            return try await repositories.issues.tags(issueID: issue.id, topValues: 10).map(IssueBody.TagBody.init)
        }
        router.get("issues/:id/hashes/") { _, context -> [HashBody] in
            let principal = try context.requirePrincipal()
            let (_, _, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .view, scope: .eventRead)
            return try await repositories.issues.hashes(issueID: issue.id).map(HashBody.init)
        }
        router.delete("issues/:id/hashes/") { request, context -> EditedResponse<IssueBody> in
            let principal = try context.requirePrincipal()
            let (organization, project, issue) = try await authorizer.issue(context.parameters.require("id"), principal, .triage, scope: .eventWrite)
            let hashes = request.uri.queryParameters.getAll("id")
            guard let split = try await repositories.issues.unmerge(issueID: issue.id, hashes: hashes, by: principal.user.id, now: Date()) else {
                throw APIError.notFound("issue '\(issue.id)' not found")
            }
            return EditedResponse(status: .created, response: IssueBody(split, project: project, organization: organization, users: [:], publicURL: publicURL))
        }
    }
}
