import Foundation

/// Classifies an issue from its first event, pure: rules that override the client first, then
/// the client's own values, then the organization's other rules, then the built-in ones, then
/// the event's level. For each field the first that sets it decides.
public enum Classifier {
    /// A rule as the classifier runs it: the organization's, or a built-in one.
    struct Candidate {
        var draft: ClassificationRuleDraft
        var by: ClassifiedBy
    }

    public static func classify(_ input: ClassificationInput, rules: [ClassificationRule],
                                calendars: [BusinessCalendarID: BusinessCalendar] = [:]) -> Classification {
        let own = rules.filter(\.draft.enabled).sorted { ($0.draft.position, $0.id.rawValue) < ($1.draft.position, $1.id.rawValue) }
            .map { Candidate(draft: $0.draft, by: .rule($0.id)) }
        var severity: (IssueSeverity, ClassifiedBy)?
        var category: (IssueCategory, ClassifiedBy)?
        var impact: (BusinessImpact, ClassifiedBy)?
        func apply(_ candidates: [Candidate]) {
            for candidate in candidates where matches(candidate.draft, input, calendars: calendars) {
                if severity == nil, let value = candidate.draft.severity { severity = (value, candidate.by) }
                if category == nil, let value = candidate.draft.category { category = (value, candidate.by) }
                if impact == nil, let value = candidate.draft.impact { impact = (value, candidate.by) }
            }
        }
        apply(own.filter(\.draft.overridesClient))
        if severity == nil, let value = input.tags["severity"].flatMap(IssueSeverity.init(rawValue:)) { severity = (value, .client) }
        if category == nil, let value = input.tags["category"].flatMap(IssueCategory.init(rawValue:)) { category = (value, .client) }
        if impact == nil, let value = (input.tags["business_impact"] ?? input.tags["impact"]).flatMap(BusinessImpact.init(rawValue:)) { impact = (value, .client) }
        apply(own.filter { !$0.draft.overridesClient })
        apply(builtIn)
        // The decider shown is the most specific one that decided anything.
        let deciders = [severity?.1, category?.1, impact?.1].compactMap { $0 }
        let by = deciders.first { if case .rule = $0 { true } else { false } } ?? deciders.first { $0 == .client }
            ?? deciders.first ?? .level
        return Classification(severity: severity?.0 ?? IssueSeverity.of(input.level), category: category?.0 ?? .unknown,
                              impact: impact?.0 ?? .operational, classifiedBy: by)
    }

    static func matches(_ rule: ClassificationRuleDraft, _ input: ClassificationInput, calendars: [BusinessCalendarID: BusinessCalendar]) -> Bool {
        switch rule.match {
        case .all: rule.conditions.allSatisfy { holds($0, input, calendars: calendars) }
        case .any: rule.conditions.contains { holds($0, input, calendars: calendars) }
        }
    }

    static func holds(_ condition: ClassificationCondition, _ input: ClassificationInput, calendars: [BusinessCalendarID: BusinessCalendar]) -> Bool {
        switch condition {
        case .exceptionType(let pattern): contains(input.type, pattern)
        case .message(let pattern): contains(input.message, pattern)
        case .module(let pattern): contains(input.module, pattern)
        case .transaction(let pattern):
            contains(input.transaction ?? "", pattern) || contains(input.tags["endpoint"] ?? "", pattern) || contains(input.tags["url"] ?? "", pattern)
        case .tag(let key, let value): input.tags[key].map { value == nil || $0 == value } ?? false
        case .level(let level): input.level >= level
        case .handled(let value): input.handled == value
        case .calendar(let id, let inside): (calendars[id]?.contains(input.at) ?? false) == inside
        case .frequency(let count, let minutes): (input.recentEvents[minutes] ?? 1) >= count
        case .users(let count): input.users >= count
        }
    }

    /// What the organization's counting rules (`frequency`, `users`) make of an issue as its
    /// events arrive: a higher severity (never a lower one), and the category and impact the
    /// rule names; nil when nothing changes or a person decided the issue's classification.
    public static func escalation(_ current: Classification, input: ClassificationInput, rules: [ClassificationRule],
                                  calendars: [BusinessCalendarID: BusinessCalendar] = [:]) -> Classification? {
        guard current.classifiedBy != .user else { return nil }
        let counting = rules.filter { $0.draft.enabled && $0.draft.conditions.contains(where: \.counts) }
            .sorted { ($0.draft.position, $0.id.rawValue) < ($1.draft.position, $1.id.rawValue) }
        for rule in counting where matches(rule.draft, input, calendars: calendars) {
            guard let severity = rule.draft.severity, severity > current.severity else { continue }
            return Classification(severity: severity, category: rule.draft.category ?? current.category, impact: rule.draft.impact ?? current.impact,
                                  classifiedBy: .rule(rule.id))
        }
        return nil
    }

    /// The windows, in minutes, that the rules' frequency conditions count.
    public static func frequencyWindows(_ rules: [ClassificationRule]) -> Set<Int> {
        Set(rules.filter(\.draft.enabled).flatMap(\.draft.conditions).compactMap { if case .frequency(_, let minutes) = $0 { minutes } else { nil } })
    }

    /// Case-insensitive substring match of any `|`-separated alternative.
    static func contains(_ text: String, _ pattern: String) -> Bool {
        guard !text.isEmpty else { return false }
        return pattern.split(separator: "|").contains { !$0.isEmpty && text.range(of: $0, options: .caseInsensitive) != nil }
    }

    /// The built-in defaults, after the organization's rules: crashes and unhandled errors are
    /// critical, payment paths block revenue, sign-in paths block users, and common error
    /// signatures name their category.
    static let builtIn: [Candidate] = {
        func rule(_ name: String, _ conditions: [ClassificationCondition], match: ClassificationRuleDraft.Match = .any,
                  severity: IssueSeverity? = nil, category: String? = nil, impact: BusinessImpact? = nil) -> Candidate {
            Candidate(draft: ClassificationRuleDraft(unchecked: name, match: match, conditions: conditions, severity: severity,
                                                     category: category.flatMap(IssueCategory.init(rawValue:)), impact: impact),
                      by: .builtIn(name))
        }
        let payment = "payment|checkout|billing|stripe|invoice|charge|subscription"
        return [
            rule("crash", [.level(atLeast: .fatal)], severity: .critical, category: "crash"),
            rule("unhandled", [.handled(false)], severity: .critical),
            rule("payment", [.transaction(payment), .module(payment), .exceptionType("payment|card|stripe")], severity: .high, category: "payment",
                 impact: .revenueBlocking),
            rule("sign_in", [.transaction("login|signin|sign-in|signup|register|oauth|/auth")], category: "authentication", impact: .userBlocking),
            rule("database", [.exceptionType("OperationalError|IntegrityError|DatabaseError|ProgrammingError|psycopg|sqlalchemy|sqlite|deadlock|PSQLException|SQLException"),
                              .message("database|deadlock|could not connect to server|too many connections|relation \"")],
                 severity: .high, category: "database"),
            rule("external_service", [.message("bad gateway|502|503 service unavailable|upstream|rate limit|429 too many")], category: "external_service"),
            rule("network", [.exceptionType("ConnectionError|ConnectionRefused|ConnectTimeout|Timeout|SocketError|URLError|ECONNRESET"),
                             .message("timed out|timeout|connection refused|connection reset|network is unreachable|name or service not known")],
                 category: "network"),
            rule("authentication", [.exceptionType("Unauthorized|Authentication|InvalidToken|NotAuthenticated|ExpiredSignature"),
                                    .message("401|unauthorized|invalid token|not authenticated")], category: "authentication"),
            rule("authorization", [.exceptionType("PermissionError|PermissionDenied|Forbidden|AccessDenied"), .message("403|forbidden|permission denied")],
                 category: "authorization"),
            rule("security", [.exceptionType("CSRF|Suspicious|Security")], severity: .high, category: "security"),
            rule("validation", [.exceptionType("ValidationError|ValueError|InvalidArgument|IllegalArgument|BadRequest|SchemaError")], category: "validation"),
            rule("performance", [.exceptionType("MemoryError|OutOfMemory|StackOverflow|RecursionError"), .message("out of memory|too slow|slow query")],
                 severity: .high, category: "performance"),
            rule("runtime", [.exceptionType("KeyError|TypeError|AttributeError|IndexError|NameError|NullPointer|ZeroDivision|ReferenceError|RuntimeError|AssertionError"),
                             .message("NoneType|undefined is not|null pointer|unexpectedly found nil")], category: "runtime"),
        ]
    }()
}

/// What a changed rule set would do to existing issues, pure: the issues whose severity,
/// category or impact would differ. People's overrides are never changed.
public enum Reclassification {
    public struct Change: Sendable, Hashable {
        public var issueID: Int64
        public var title: String
        public var current: Classification?
        public var proposed: Classification
    }

    public static func changes(_ issues: [(issueID: Int64, title: String, current: Classification?, input: ClassificationInput)], rules: [ClassificationRule],
                               calendars: [BusinessCalendarID: BusinessCalendar]) -> [Change] {
        issues.compactMap { issue in
            guard issue.current?.classifiedBy != .user else { return nil }
            let proposed = Classifier.classify(issue.input, rules: rules, calendars: calendars)
            if let current = issue.current, (current.severity, current.category, current.impact) == (proposed.severity, proposed.category, proposed.impact) {
                return nil
            }
            return Change(issueID: issue.issueID, title: issue.title, current: issue.current, proposed: proposed)
        }
    }
}
