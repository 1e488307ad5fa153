import Testing
import TelltaleCore

@Suite("Audit actions and changes")
struct AuditActionTests {
    @Test("actions are named from method and path", arguments: [
        ("POST", "/api/0/organizations/acme/monitors/", 201, "monitors.create", "monitors", nil, "acme"),
        ("PUT", "/api/0/monitors/12/", 200, "monitors.update", "monitors", "12", nil),
        ("POST", "/api/0/monitors/12/pause", 200, "monitors.pause", "monitors", "12", nil),
        ("DELETE", "/api/0/organizations/acme/members/5/", 204, "members.delete", "members", "5", "acme"),
        ("POST", "/organizations/acme/alerts/channels/3/delete", 303, "alerts.channels.delete", "channels", "3", "acme"),
        ("POST", "/organizations/acme/monitors/7/edit", 303, "monitors.update", "monitors", "7", "acme"),
        ("POST", "/api/0/projects/acme/shop/keys/", 201, "projects.keys.create", "keys", "shop", "acme"),
        ("PUT", "/api/0/organizations/acme/", 200, "organizations.update", "organizations", "acme", "acme"),
        ("POST", "/login", 303, "auth.sign_in", "session", nil, nil),
        ("POST", "/login", 401, "auth.sign_in_failed", "session", nil, nil),
        ("POST", "/login", 429, "auth.sign_in_refused", "session", nil, nil),
        ("POST", "/logout", 303, "auth.sign_out", "session", nil, nil),
        ("EXPORT", "/api/0/incidents/9/report", 200, "incidents.report.export", "report", "9", nil),
    ] as [(String, String, Int, String, String, String?, String?)])
    func named(_ method: String, _ path: String, _ status: Int, _ action: String, _ type: String, _ id: String?, _ organization: String?) throws {
        let described = try #require(AuditAction.describe(method: method, path: path, status: status))
        #expect(described.action == action)
        #expect(described.targetType == type)
        #expect(described.targetID == id)
        #expect(described.organizationSlug == organization)
    }

    @Test("reads, refusals, dry runs and marking notifications read are not recorded")
    func skipped() {
        #expect(AuditAction.describe(method: "GET", path: "/api/0/organizations/acme/monitors/", status: 200) == nil)
        #expect(AuditAction.describe(method: "PUT", path: "/api/0/monitors/12/", status: 403) == nil)
        #expect(AuditAction.describe(method: "POST", path: "/organizations/acme/settings/classification/dry-run", status: 200) == nil)
        #expect(AuditAction.describe(method: "POST", path: "/notifications/read", status: 303) == nil)
        // Data sent in, not settings changed.
        for path in ["/api/0/projects/acme/shop/errors/", "/api/0/projects/acme/shop/webhooks/errors/vercel", "/api/0/projects/acme/shop/business-events/",
                     "/api/0/projects/acme/shop/performance/metrics/", "/api/0/issues/4/correlate", "/api/0/organizations/acme/user-reports/"] {
            #expect(AuditAction.describe(method: "POST", path: path, status: 200) == nil, "\(path)")
        }
        #expect(AuditAction.describe(method: "PUT", path: "/api/0/user-reports/3/", status: 200)?.action == "user_reports.update")
    }

    @Test("a verb's resource path drops the verb")
    func resourcePath() throws {
        #expect(try #require(AuditAction.describe(method: "POST", path: "/api/0/monitors/12/pause", status: 200)).resourcePath == "/api/0/monitors/12/")
        #expect(try #require(AuditAction.describe(method: "PUT", path: "/api/0/monitors/12/", status: 200)).resourcePath == "/api/0/monitors/12/")
    }

    @Test("changes list what differs, secrets masked")
    func changes() {
        let changes = AuditChanges.diff(before: ["name": "a", "password": "old", "same": "x", "gone": "1"],
                                        after: ["name": "b", "password": "new", "same": "x", "config.webhook_url": "https://hooks/secret"])
        #expect(changes == [
            AuditChange(field: "config.webhook_url", before: nil, after: AuditChanges.masked),
            AuditChange(field: "gone", before: "1", after: nil),
            AuditChange(field: "name", before: "a", after: "b"),
            AuditChange(field: "password", before: AuditChanges.masked, after: AuditChanges.masked),
        ])
        let submitted = AuditChanges.submitted([("_csrf", "t"), ("email", "a@b.c"), ("password", "hunter2"), ("email", "again")])
        #expect(submitted == [AuditChange(field: "email", before: nil, after: "a@b.c"), AuditChange(field: "password", before: nil, after: AuditChanges.masked)])
    }
}
