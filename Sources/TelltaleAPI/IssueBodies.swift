import Foundation
import Hummingbird
import TelltaleCore

/// A user as issue fields show it (assignee, actor).
struct UserRefBody: Codable, Sendable {
    var id: String
    var email: String
    var name: String

    init(_ user: User) {
        id = user.id.description
        email = user.email
        name = user.name
    }
}

/// An issue as lists and the detail show it (Sentry's field names, plus the triage fields).
struct IssueBody: ResponseCodable {
    struct StatusDetails: Codable, Sendable {
        var ignoreUntil: Date?
        var ignoreCount: Int64?
        var ignoreUserCount: Int64?
    }
    struct Grouping: Codable, Sendable {
        var version: String
        var strategy: String
        var components: [String]
    }
    struct TagBody: Codable, Sendable {
        struct Value: Codable, Sendable {
            var value: String
            var count: Int64
            var lastSeen: Date
        }
        var key: String
        var totalValues: Int64
        var topValues: [Value]

        init(_ tag: IssueTagSummary) {
            key = tag.key
            totalValues = tag.totalValues
            topValues = tag.topValues.map { Value(value: $0.value, count: $0.count, lastSeen: $0.lastSeen) }
        }
    }

    var id: String
    var shortId: String
    var title: String
    var culprit: String
    var level: String
    var type: String
    var status: String
    var statusDetails: StatusDetails
    var count: String
    var userCount: Int64
    var firstSeen: Date
    var lastSeen: Date
    var firstRelease: String?
    var lastRelease: String?
    var assignedTo: UserRefBody?
    var resolvedAt: Date?
    var resolvedBy: UserRefBody?
    var resolutionNote: String?
    var timeToResolve: Double?
    var regressedAt: Date?
    var isUnresolved: Bool
    var project: ResourceRef
    var permalink: String
    var grouping: Grouping
    var groupingComponents: [String]
    /// The issue's classification; for issues opened before classification existed, the most
    /// common `severity` and `category` tags of its events.
    var severity: String?
    var category: String?
    var businessImpact: String?
    /// What decided it: `rule:<id>`, `default:<name>`, `client`, `user` or `level`.
    var classifiedBy: String?
    /// Event counts per bucket: `{"24h": [[unixSeconds, count], …]}`.
    var stats: [String: [[Int64]]]?
    var tags: [TagBody]?

    enum CodingKeys: String, CodingKey {
        case id, shortId, title, culprit, level, type, status, statusDetails, count, userCount, firstSeen, lastSeen, firstRelease, lastRelease,
             assignedTo, resolvedAt, resolvedBy, resolutionNote, timeToResolve, regressedAt, isUnresolved, project, permalink, grouping,
             groupingComponents, severity, category, businessImpact = "business_impact", classifiedBy = "classified_by", stats, tags
    }

    init(_ issue: Issue, project: Project, organization: Organization, users: [UserID: User], publicURL: String,
         stats: [String: CountSeries]? = nil, tags: [IssueTagSummary]? = nil, classification: [String: String] = [:]) {
        id = String(issue.id)
        shortId = project.slug.rawValue.uppercased() + "-" + String(issue.shortNumber)
        title = issue.title
        culprit = issue.culprit
        level = issue.level
        type = issue.type
        status = issue.status.rawValue
        switch issue.ignore {
        case .until(let seconds)?: statusDetails = StatusDetails(ignoreUntil: Date(timeIntervalSince1970: seconds))
        case .moreEvents(let n, _)?: statusDetails = StatusDetails(ignoreCount: n)
        case .moreUsers(let n, _)?: statusDetails = StatusDetails(ignoreUserCount: n)
        default: statusDetails = StatusDetails()
        }
        count = String(issue.timesSeen)
        userCount = issue.userCount
        firstSeen = issue.firstSeen
        lastSeen = issue.lastSeen
        firstRelease = issue.firstRelease
        lastRelease = issue.lastRelease
        assignedTo = issue.assignedTo.flatMap { users[$0] }.map(UserRefBody.init)
        resolvedAt = issue.resolvedAt
        resolvedBy = issue.resolvedBy.flatMap { users[$0] }.map(UserRefBody.init)
        resolutionNote = issue.resolutionNote
        timeToResolve = issue.timeToResolve
        regressedAt = issue.regressedAt
        isUnresolved = issue.status.isUnresolved
        self.project = ResourceRef(id: project.id.description, slug: project.slug.rawValue)
        permalink = "\(publicURL)/organizations/\(organization.slug.rawValue)/issues/\(issue.id)/"
        grouping = Grouping(version: issue.grouping.version, strategy: issue.grouping.strategy, components: issue.grouping.components)
        groupingComponents = issue.grouping.components
        severity = issue.classification?.severity.rawValue ?? classification["severity"]
        category = issue.classification?.category.rawValue ?? classification["category"]
        businessImpact = issue.classification?.impact.rawValue
        classifiedBy = issue.classification?.classifiedBy.description
        self.stats = stats?.mapValues { $0.points.map { [$0.start, $0.count] } }
        self.tags = tags?.map(TagBody.init)
    }
}

/// One timeline entry (Sentry's activity shape).
struct ActivityBody: ResponseCodable {
    var id: String
    var type: String
    var user: UserRefBody?
    var data: [String: String]
    var dateCreated: Date

    init(_ activity: IssueActivity, users: [UserID: User]) {
        id = String(activity.id)
        type = activity.kind.rawValue
        user = activity.userID.flatMap { users[$0] }.map(UserRefBody.init)
        data = activity.data
        dateCreated = activity.createdAt
    }
}

/// `PUT` body for one issue or many: status, assignment, resolution note, ignore conditions,
/// or `merge: 1` for many.
struct IssueUpdateBody: Decodable {
    struct StatusDetails: Decodable {
        var ignoreDuration: Double?
        var ignoreUntil: Date?
        var ignoreCount: Int64?
        var ignoreUserCount: Int64?
    }
    var status: String?
    var statusDetails: StatusDetails?
    var assignedTo: String?
    var resolutionNote: String?
    var merge: Int?
    /// A person's classification: each given field overrides, and the override sticks.
    var severity: String?
    var category: String?
    var businessImpact: String?

    /// Whether `assignedTo` was present (`null` or `""` unassigns).
    var hasAssignee = false

    enum CodingKeys: String, CodingKey {
        case status, statusDetails, assignedTo, resolutionNote, merge, severity, category, businessImpact = "business_impact"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        statusDetails = try container.decodeIfPresent(StatusDetails.self, forKey: .statusDetails)
        resolutionNote = try container.decodeIfPresent(String.self, forKey: .resolutionNote)
        merge = try container.decodeIfPresent(Int.self, forKey: .merge)
        severity = try container.decodeIfPresent(String.self, forKey: .severity)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        businessImpact = try container.decodeIfPresent(String.self, forKey: .businessImpact)
        hasAssignee = container.contains(.assignedTo)
        assignedTo = try container.decodeIfPresent(String.self, forKey: .assignedTo)
    }
}

/// `POST` body of a comment.
struct CommentBody: Decodable {
    var text: String
}
