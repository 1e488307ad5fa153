public import Foundation

/// Recurring error patterns across issues, pure: issues that share a normalized message shape
/// (`Timeout after <n> ms calling <url>`), a failing component (the culprit's module) or, across
/// projects or releases, an exception type — each with a confidence, occurrences, affected
/// users, when it was first and last seen, and an impact score.
public enum PatternFinder {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case message, component, exceptionType = "exception_type"
    }

    /// What the finder reads of an issue (from the issues table: no event is scanned).
    public struct Input: Sendable, Hashable {
        public var issueID: Int64
        public var projectID: ProjectID
        public var type: String
        public var title: String
        public var culprit: String
        public var severity: IssueSeverity
        public var firstSeen: Date
        public var lastSeen: Date
        public var events: Int
        public var users: Int
        public var releases: Set<String>

        public init(issueID: Int64, projectID: ProjectID, type: String, title: String, culprit: String, severity: IssueSeverity, firstSeen: Date,
                    lastSeen: Date, events: Int, users: Int, releases: Set<String>) {
            self.issueID = issueID
            self.projectID = projectID
            self.type = type
            self.title = title
            self.culprit = culprit
            self.severity = severity
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.events = events
            self.users = users
            self.releases = releases
        }
    }

    public struct Found: Sendable, Hashable {
        public var kind: Kind
        public var key: String
        public var label: String
        public var confidence: Double
        public var occurrences: Int
        public var issueIDs: [Int64]
        public var projectCount: Int
        public var releaseCount: Int
        /// The sum of the issues' users: an upper bound, since a user may hit several.
        public var affectedUsers: Int
        public var firstSeen: Date
        public var lastSeen: Date
        public var impactScore: Double

        public init(kind: Kind, key: String, label: String, confidence: Double, occurrences: Int, issueIDs: [Int64], projectCount: Int,
                    releaseCount: Int, affectedUsers: Int, firstSeen: Date, lastSeen: Date, impactScore: Double) {
            self.kind = kind
            self.key = key
            self.label = label
            self.confidence = confidence
            self.occurrences = occurrences
            self.issueIDs = issueIDs
            self.projectCount = projectCount
            self.releaseCount = releaseCount
            self.affectedUsers = affectedUsers
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.impactScore = impactScore
        }
    }

    /// The patterns among `issues`, highest impact first.
    public static func find(_ issues: [Input], limit: Int = 200) -> [Found] {
        var groups: [Kind: [String: [Input]]] = [:]
        for issue in issues {
            let exception = ClassificationInput.exceptionType(title: issue.title, eventType: "error")
            let shape = messageShape(issue.title)
            if !shape.isEmpty { groups[.message, default: [:]][shape, default: []].append(issue) }
            if let module = component(issue.culprit) { groups[.component, default: [:]][module, default: []].append(issue) }
            if !exception.isEmpty { groups[.exceptionType, default: [:]][exception, default: []].append(issue) }
        }
        var found: [Found] = []
        for (kind, byKey) in groups {
            for (key, members) in byKey where members.count >= 2 {
                let projects = Set(members.map(\.projectID)).count
                let releases = members.reduce(into: Set<String>()) { $0.formUnion($1.releases) }.count
                // A shared exception type alone is common; it is a pattern when it recurs
                // across projects or releases in several issues.
                if kind == .exceptionType, members.count < 3 || (projects < 2 && releases < 2) { continue }
                let base = switch kind {
                case .message: 0.7
                case .component: 0.5
                case .exceptionType: 0.4
                }
                let confidence = min(0.99, base + 0.1 * Double(members.count - 2) + 0.1 * Double(projects - 1) + 0.05 * Double(max(0, releases - 1)))
                let occurrences = members.reduce(0) { $0 + $1.events }
                let users = members.reduce(0) { $0 + $1.users }
                let worst = members.map(\.severity).max() ?? .info
                let impact = log10(1 + Double(occurrences)) * (1 + log10(1 + Double(users))) * weight(worst)
                let label = switch kind {
                case .message: "Message “\(key)”"
                case .component: "Component \(key)"
                case .exceptionType: "\(key) across \(projects) project\(projects == 1 ? "" : "s") and \(releases) release\(releases == 1 ? "" : "s")"
                }
                found.append(Found(
                    kind: kind, key: key, label: label, confidence: (confidence * 100).rounded() / 100, occurrences: occurrences,
                    issueIDs: members.map(\.issueID).sorted(), projectCount: projects, releaseCount: releases, affectedUsers: users,
                    firstSeen: members.map(\.firstSeen).min()!, lastSeen: members.map(\.lastSeen).max()!, impactScore: (impact * 100).rounded() / 100))
            }
        }
        return Array(found.sorted { ($0.impactScore, $0.kind.rawValue, $0.key) > ($1.impactScore, $1.kind.rawValue, $1.key) }.prefix(limit))
    }

    static func weight(_ severity: IssueSeverity) -> Double {
        switch severity {
        case .critical: 2
        case .high: 1.5
        case .medium: 1
        case .low: 0.7
        case .info: 0.5
        }
    }

    /// A title with what varies between occurrences replaced: quoted strings, UUIDs, hex ids,
    /// e-mail and IP addresses, URLs' paths and numbers. Capped at 200 characters.
    public static func messageShape(_ title: String) -> String {
        var text = title
        let replacements: [(String, String)] = [
            (#"'[^']*'|"[^"]*""#, "<s>"),
            (#"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"#, "<uuid>"),
            (#"[\w.+-]+@[\w-]+\.[\w.]+"#, "<email>"),
            (#"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b"#, "<ip>"),
            (#"https?://[^\s/]+[^\s]*"#, "<url>"),
            (#"\b(0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*\b"#, "<n>"),
        ]
        for (pattern, replacement) in replacements {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return String(text.split(whereSeparator: \.isWhitespace).joined(separator: " ").prefix(200))
    }

    /// The module of a culprit (`shop.db in get_orders` → `shop.db`, `app/models.py` →
    /// `app/models.py`), nil when there is none.
    public static func component(_ culprit: String) -> String? {
        let module = culprit.components(separatedBy: " in ").first?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !module.isEmpty, module != "?" else { return nil }
        return String(module.prefix(200))
    }
}
