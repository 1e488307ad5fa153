import Foundation
import TelltaleCore
import TelltaleMonitors

/// The status page as JSON, for other tools and scripts.
enum StatusPageJSON {
    struct Body: Encodable {
        struct Day: Encodable {
            var date: String
            var uptimePercent: Double?
            var downtimeSeconds: Double
            enum CodingKeys: String, CodingKey { case date; case uptimePercent = "uptime_percent"; case downtimeSeconds = "downtime_seconds" }
        }
        struct Component: Encodable {
            var name: String
            var status: String
            var statusText: String
            var uptimePercent: Double?
            var days: [Day]
            enum CodingKeys: String, CodingKey { case name, status, days; case statusText = "status_text"; case uptimePercent = "uptime_percent" }
        }
        struct Notice: Encodable {
            var title: String
            var body: String
            var severity: String
            var dateCreated: Date
            enum CodingKeys: String, CodingKey { case title, body, severity; case dateCreated = "date_created" }
        }
        struct Maintenance: Encodable {
            var title: String
            var start: Date
            var end: Date
            var active: Bool
        }
        var slug: String
        var title: String
        var description: String
        var status: String
        var statusText: String
        var components: [Component]
        var notices: [Notice]
        var maintenance: [Maintenance]
        var generatedAt: Date
        enum CodingKeys: String, CodingKey {
            case slug, title, description, status, components, notices, maintenance
            case statusText = "status_text", generatedAt = "generated_at"
        }
    }

    static func encode(_ snapshot: StatusSnapshot) -> String {
        let labels = (snapshot.components.first?.days ?? []).map { Charts.dayText($0.start) }
        let body = Body(
            slug: snapshot.page.slug.rawValue, title: snapshot.page.title, description: snapshot.page.description,
            status: snapshot.status.token, statusText: StatusPageView.banner(snapshot.status),
            components: snapshot.components.map { component in
                Body.Component(name: component.name, status: component.status.token, statusText: component.status.rawValue, uptimePercent: component.uptimePercent,
                               days: component.days.enumerated().map { Body.Day(date: labels[safe: $0] ?? "", uptimePercent: $1.uptimePercent, downtimeSeconds: $1.downtimeSeconds) })
            },
            notices: snapshot.notices.map { Body.Notice(title: $0.title, body: $0.body, severity: $0.severity.rawValue, dateCreated: $0.createdAt) },
            maintenance: snapshot.maintenance.map { Body.Maintenance(title: $0.title, start: $0.window.start, end: $0.window.end, active: $0.active) },
            generatedAt: snapshot.generatedAt
        )
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(body)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The notices as an Atom feed.
enum StatusPageFeed {
    static func atom(_ snapshot: StatusSnapshot, publicURL: String) -> String {
        let page = "\(publicURL)/status/\(snapshot.page.slug.rawValue)"
        let updated = WebFormat.iso(snapshot.notices.first?.createdAt ?? snapshot.page.createdAt)
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <title>\(xmlEscape(snapshot.page.title)): notices</title>
            <id>\(xmlEscape(page))</id>
            <link href="\(xmlEscape(page))"/>
            <link rel="self" href="\(xmlEscape(page))/feed.atom"/>
            <updated>\(updated)</updated>

            """
        for notice in snapshot.notices {
            xml += """
                <entry>
                <title>\(xmlEscape(notice.title))</title>
                <id>\(xmlEscape(page))#notice-\(notice.id)</id>
                <updated>\(WebFormat.iso(notice.createdAt))</updated>
                <category term="\(notice.severity.rawValue)"/>
                <content type="text">\(xmlEscape(notice.body))</content>
                </entry>

                """
        }
        return xml + "</feed>\n"
    }

    static func xmlEscape(_ text: String) -> String {
        Charts.escape(text).replacingOccurrences(of: "'", with: "&apos;")
    }
}

/// A shields-style SVG badge: the component's name and its uptime, coloured by state.
enum StatusBadge {
    static func svg(label: String, component: StatusSnapshot.Component) -> String {
        let value = component.uptimePercent.map(WebFormat.percent) ?? "no data"
        let colour: String
        switch component.status {
        case .operational: colour = "#2b8a3e"
        case .degraded: colour = "#b35c00"
        case .partialOutage: colour = "#c2410c"
        case .majorOutage: colour = "#c92a2a"
        case .maintenance: colour = "#1c6ed6"
        }
        let left = String(label.prefix(40))
        let leftWidth = 10 + left.count * 7, rightWidth = 10 + value.count * 7
        let total = leftWidth + rightWidth
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="20" role="img" aria-label="\(Charts.escape(left)): \(value)">\
            <title>\(Charts.escape(left)): \(value) uptime, \(component.status.rawValue)</title>\
            <rect width="\(leftWidth)" height="20" fill="#555"/><rect x="\(leftWidth)" width="\(rightWidth)" height="20" fill="\(colour)"/>\
            <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">\
            <text x="5" y="14">\(Charts.escape(left))</text><text x="\(leftWidth + 5)" y="14">\(value)</text></g></svg>
            """
    }
}
