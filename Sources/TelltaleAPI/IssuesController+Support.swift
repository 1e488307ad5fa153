import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SentryProtocol
import TelltaleCore
import TelltaleHTTP
import TelltaleIngest

extension IssuesController {
    /// The search a list request asks for: `query` (default `is:unresolved`), `sort`, `cursor`, `limit`.
    static func search(_ request: Request, projects: [ProjectID], user: UserID) throws -> IssueSearch {
        let parameters = request.uri.queryParameters
        let text = Form.query(of: request)["query"] ?? "is:unresolved"
        let query = try IssueQueryParser.parse(text, now: Date())
        let sortText = parameters.get("sort") ?? "date"
        guard let sort = IssueSort(rawValue: sortText) else {
            throw APIError.badRequest("sort must be one of \(IssueSort.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var limit = 25
        if let limitText = parameters.get("limit") {
            guard let n = Int(limitText), (1...100).contains(n) else { throw APIError.badRequest("limit must be a number from 1 to 100") }
            limit = n
        }
        return IssueSearch(projectIDs: projects, query: query, sort: sort, cursor: parameters.get("cursor"), limit: limit, user: user)
    }

    /// Issues a bulk request names: `?id=…` (repeatable), else everything matching `?query=`.
    func targets(_ request: Request, project: Project, user: UserID) async throws -> [Int64] {
        let idTexts = request.uri.queryParameters.getAll("id")
        if !idTexts.isEmpty {
            var ids: [Int64] = []
            for text in idTexts {
                guard let id = Int64(text), let issue = try await repositories.issues.issue(id: id), issue.projectID == project.id else {
                    throw APIError.notFound("issue '\(text)' not found in this project")
                }
                ids.append(issue.id)
            }
            return ids
        }
        guard Form.query(of: request)["query"] != nil else {
            throw APIError.badRequest("name the issues with ?id=… or ?query=…")
        }
        var search = try Self.search(request, projects: [project.id], user: user)
        search.limit = 100
        var ids: [Int64] = []
        // Bulk actions stop at 1,000 issues per request, so one request cannot hold the writer for long.
        while ids.count < 1_000 {
            let page = try await repositories.issues.search(search)
            ids += page.issues.map(\.id)
            guard let next = page.nextCursor else { break }
            search.cursor = next
        }
        return ids
    }

    /// The change a `PUT` body asks for; the assignee must be a member of the organization.
    func change(_ body: IssueUpdateBody, organization: Organization) async throws -> IssueChange {
        var change = IssueChange(resolutionNote: body.resolutionNote)
        if let statusText = body.status {
            // Sentry clients reopen with "unresolved"; here that is back to investigating.
            let status = statusText == "unresolved" ? IssueStatus.investigating : IssueStatus(rawValue: statusText)
            guard let status else {
                throw APIError.badRequest("status must be one of unresolved, \(IssueStatus.allCases.filter(\.isManual).map(\.rawValue).joined(separator: ", "))")
            }
            change.status = status
        }
        if let details = body.statusDetails {
            if let minutes = details.ignoreDuration {
                guard minutes > 0, minutes < 5_256_000 else { throw APIError.badRequest("statusDetails.ignoreDuration must be minutes, more than 0") }
                change.ignore = .until(Date().addingTimeInterval(minutes * 60))
            } else if let until = details.ignoreUntil {
                change.ignore = .until(until)
            } else if let n = details.ignoreCount {
                guard n > 0 else { throw APIError.badRequest("statusDetails.ignoreCount must be more than 0") }
                change.ignore = .moreEvents(n)
            } else if let n = details.ignoreUserCount {
                guard n > 0 else { throw APIError.badRequest("statusDetails.ignoreUserCount must be more than 0") }
                change.ignore = .moreUsers(n)
            }
        }
        if body.hasAssignee {
            guard let who = body.assignedTo, !who.isEmpty else {
                change.assignee = .some(nil)
                return change
            }
            let user: User? = if let id = Int64(who) {
                try await repositories.users.user(id: UserID(id))
            } else {
                try await repositories.users.user(email: who.hasPrefix("user:") ? String(who.dropFirst(5)) : who)
            }
            guard let user, try await repositories.organizations.role(of: user.id, in: organization.id) != nil else {
                throw APIError.badRequest("assignedTo '\(who)' is not a member of this organization")
            }
            change.assignee = .some(user.id)
        }
        let classifies = body.severity != nil || body.category != nil || body.businessImpact != nil
        if change.isEmpty, !classifies {
            throw APIError.badRequest("nothing to change: give status, statusDetails, assignedTo, resolutionNote, severity, category or business_impact")
        }
        return change
    }

    /// Per-issue counts for `statsPeriod` (`24h`: hourly, `14d`: daily, empty: none).
    func stats(_ ids: [Int64], period: String) async throws -> [Int64: CountSeries]? {
        let now = Date()
        switch period {
        case "": return nil
        case "24h": return try await repositories.issues.eventCounts(issueIDs: ids, since: now.addingTimeInterval(-86_400 + 3_600), until: now, bucketSeconds: 3_600)
        case "14d": return try await repositories.issues.eventCounts(issueIDs: ids, since: now.addingTimeInterval(-14 * 86_400 + 86_400), until: now, bucketSeconds: 86_400)
        default: throw APIError.badRequest("statsPeriod must be 24h, 14d or empty")
        }
    }

    func users(_ ids: [UserID?]) async throws -> [UserID: User] {
        var result: [UserID: User] = [:]
        for id in Set(ids.compactMap { $0 }) {
            if let user = try await repositories.users.user(id: id) { result[id] = user }
        }
        return result
    }

    /// A JSON response with Sentry's `Link` paging header when there is a next page.
    static func json(_ value: some Encodable, request: Request, context: TelltaleRequestContext, next: String? = nil) throws -> Response {
        let data = try context.responseEncoder.encode(value)
        var response = Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        if let next { response.headers[HTTPField.Name("Link")!] = link(request, cursor: next) }
        return response
    }

    static func jsonValue(_ value: JSONValue, request: Request, next: String?) throws -> Response {
        var response = Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
        if let next { response.headers[HTTPField.Name("Link")!] = link(request, cursor: next) }
        return response
    }

    static func link(_ request: Request, cursor: String) -> String {
        var items = URLComponents(string: request.uri.description)?.queryItems ?? []
        items.removeAll { $0.name == "cursor" }
        items.append(URLQueryItem(name: "cursor", value: cursor))
        var components = URLComponents()
        components.path = request.uri.path
        components.queryItems = items
        return "<\(components.string ?? request.uri.path)>; rel=\"next\"; results=\"true\"; cursor=\"\(cursor)\""
    }
}

/// A stored event as the API returns it: the normalized payload with Sentry's extra fields.
enum EventPayload {
    static func body(_ event: StoredEvent, full: Bool) throws -> JSONValue {
        var payload: JSONValue = full ? try JSONParser.parse(PayloadCompression.decompress(event.compressedPayload)) : .object([:])
        if !full {
            payload["level"] = .string(event.level)
            payload["type"] = .string(event.type)
            payload["dateCreated"] = .string(ISO8601DateFormatter().string(from: event.timestamp))
        }
        payload["id"] = .string(event.eventID)
        payload["eventID"] = .string(event.eventID)
        payload["groupID"] = event.issueID.map { .string(String($0)) } ?? .null
        payload["projectID"] = .string(event.projectID.description)
        payload["title"] = .string(event.title)
        payload["culprit"] = .string(event.culprit)
        return payload
    }
}

/// The answer to a merge (Sentry's shape).
struct MergeResult: Encodable {
    struct Merge: Encodable {
        var parent: String
        var children: [String]
    }
    var merge: Merge
}

/// A grouping hash of an issue.
struct HashBody: ResponseCodable {
    var id: String
    init(_ hash: String) { id = hash }
}

extension Sequence {
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var result: [T] = []
        for element in self { if let value = try await transform(element) { result.append(value) } }
        return result
    }
}
