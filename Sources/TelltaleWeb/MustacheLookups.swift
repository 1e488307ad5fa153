import Mustache

// Views rendered many times per page answer Mustache's lookups directly: reflection builds a
// mirror of the whole value for every `{{name}}`, which dominated the issues page's time.

extension IssueRowView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "href": href
        case "title": title
        case "culprit": culprit
        case "level": level
        case "status": status
        case "severity": severity
        case "project": project
        case "events": events
        case "eventsExact": eventsExact
        case "users": users
        case "firstSeen": firstSeen
        case "firstSeenISO": firstSeenISO
        case "lastSeen": lastSeen
        case "lastSeenISO": lastSeenISO
        case "sparkline": sparkline
        case "assignee": assignee
        case "isRegressed": isRegressed
        default: nil
        }
    }
}

extension Chrome: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "user": user
        case "csrf": csrf
        case "organization": organization
        case "organizations": organizations
        case "canTriage": canTriage
        case "canManage": canManage
        case "isOverview": isOverview
        case "isIssues": isIssues
        case "isHealth": isHealth
        case "isPerformance": isPerformance
        case "isBusiness": isBusiness
        case "isSettings": isSettings
        case "isAccount": isAccount
        case "isAlerts": isAlerts
        case "isNotifications": isNotifications
        case "unread": unread
        case "hasUnread": unread > 0
        case "hasManyOrganizations": hasManyOrganizations
        default: nil
        }
    }
}

extension MonitorRowView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "href": href
        case "name": name
        case "type": type
        case "component": component
        case "status": status
        case "since": since
        case "sinceISO": sinceISO
        case "lastResponse": lastResponse
        case "sparkline": sparkline
        case "uptimeDay": uptimeDay
        case "uptimeMonth": uptimeMonth
        default: nil
        }
    }
}

extension HealthDashboard.GridView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "chrome": chrome
        case "counts": counts
        case "rows": rows
        case "hasRows": hasRows
        case "newHref": newHref
        case "statusPagesHref": statusPagesHref
        case "liveSrc": liveSrc
        case "query": query
        case "previous": previous
        case "next": next
        case "total": total
        default: nil
        }
    }
}
