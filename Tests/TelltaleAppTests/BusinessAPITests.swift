import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import NIOCore
import Testing
import TelltaleAlerting
import TelltaleApp
import TelltaleBusiness
import TelltaleCore
import TelltaleStore
import TelltaleTestSupport

/// Workflows from a template, transactions and tagged errors with revenue: the business-impact
/// summary shows each workflow against its target, the compliance score and the revenue at
/// risk, and a revenue-at-risk rule fires once.
extension IssuesAPITests {
    @Test("workflows from a template measure success from transactions and revenue at risk from errors; a revenue rule fires",
          arguments: TestDatabase.allCases)
    func businessImpact(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                var t = try await setUp(environment)
                t.admin = try await managerToken(environment)
                // Only managers define workflows; a set must weigh 100 %.
                let refused = try await call(client, .post, "organizations/default/workflows/", #"{"template": "booking"}"#, auth: t.viewer)
                #expect([.forbidden, .notFound].contains(refused.status), "\(refused.status) \(refused.body)")
                let partial = try await call(client, .post, "organizations/default/workflows/",
                                             #"{"workflows": [{"name": "Booking", "weight": 50, "match": {"tags": {"workflow": "booking"}}}]}"#, auth: t.admin)
                #expect(partial.status == .badRequest && partial.body.contains("sum to 50"), "\(partial.body)")
                let created = try await call(client, .post, "organizations/default/workflows/", #"{"template": "booking"}"#, auth: t.admin)
                #expect(created.status == .created && created.list.count == 7, "\(created.body)")
                let over = try await call(client, .post, "organizations/default/workflows/",
                                          #"{"name": "Extra", "weight": 5, "match": {"tags": {"workflow": "extra"}}}"#, auth: t.admin)
                #expect(over.status == .badRequest && over.body.contains("105"), "\(over.body)")
                let listed = try await call(client, .get, "organizations/default/workflows/", auth: t.viewer)
                let payment = try #require(listed.list.first { $0["name"] as? String == "Payment" }, "\(listed.body)")
                #expect(payment["value_per_failure"] as? Double == 60 && (payment["match"] as? [String: Any])?["tags"] as? [String: String] == ["workflow": "payment"])

                // 100 bookings, 10 failed (90 % against 95 %); 50 payments, all fine.
                let now = Date().timeIntervalSince1970
                var items: [(type: String, payload: String)] = []
                for i in 0..<100 {
                    items.append(("transaction", Self.transaction(url: "/api/bookings/\(1000 + i)", ms: 80, end: now - 300 + Double(i), status: i % 10 == 0 ? "internal_error" : "ok")))
                }
                for i in 0..<50 { items.append(("transaction", Self.transaction(url: "/api/payments/\(i)", ms: 120, end: now - 200 + Double(i)))) }
                for item in items { #expect(try await postEnvelope(client, t.key, Self.envelope([item])) == .ok) }
                // Three card errors tagged with the payment workflow, one of them worth 500; an untagged one.
                try await send(client, t.key, [
                    #"{"error_type": "CardError", "message": "card declined", "tags": {"workflow": "payment"}, "revenue_impact": 500}"#,
                    #"{"error_type": "CardError", "message": "card declined", "tags": {"workflow": "payment"}}"#,
                    #"{"error_type": "CardError", "message": "card declined", "tags": {"workflow": "payment"}}"#,
                    #"{"error_type": "LayoutError", "message": "banner overflow"}"#,
                ])

                var summary = try await call(client, .get, "organizations/default/business-impact/?statsPeriod=24h", auth: t.viewer)
                for _ in 0..<100 where (summary.object["revenue_at_risk"] as? Double ?? 0) < 1020
                    || ((summary.object["workflows"] as? [[String: Any]])?.first?["attempts"] as? Int ?? 0) < 100 {
                    try await Task.sleep(for: .milliseconds(50))
                    summary = try await call(client, .get, "organizations/default/business-impact/?statsPeriod=24h", auth: t.viewer)
                }
                #expect(summary.status == .ok, "\(summary.body)")
                let workflows = try #require(summary.object["workflows"] as? [[String: Any]], "\(summary.body)")
                let booking = try #require(workflows.first { $0["name"] as? String == "Booking" })
                #expect(booking["attempts"] as? Int == 100 && booking["failures"] as? Int == 10 && booking["success_rate"] as? Double == 90
                        && booking["meets_target"] as? Bool == false && booking["target"] as? Double == 95, "\(booking)")
                // Ten failed bookings at the template's 40 each, with no errors reported for them.
                #expect(booking["revenue_at_risk"] as? Double == 400 && booking["errors"] as? Int == 0, "\(booking)")
                let paid = try #require(workflows.first { $0["name"] as? String == "Payment" })
                #expect(paid["attempts"] as? Int == 50 && paid["success_rate"] as? Double == 100 && paid["errors"] as? Int == 3
                        && paid["issues"] as? Int == 1 && paid["revenue_at_risk"] as? Double == 620, "\(paid)")
                // Booking at 90/95 and payment in full, 25 % each; the other workflows had no attempts.
                let score = try #require(summary.object["compliance_score"] as? Double, "\(summary.body)")
                let bookingShare: Double = 25 * 90.0 / 95
                let expected: Double = 100 * (bookingShare + 25) / 50
                #expect(abs(score - expected) < 1e-6)
                #expect(summary.object["compliance_target"] as? Double == 90 && summary.object["meets_compliance_target"] as? Bool == true)
                #expect(summary.object["revenue_at_risk"] as? Double == 1020 && summary.object["currency"] as? String == "USD", "\(summary.body)")
                let top = try #require((summary.object["top_issues"] as? [[String: Any]])?.first, "\(summary.body)")
                #expect(top["title"] as? String == "CardError: card declined" && top["workflow"] as? String == "Payment" && top["events"] as? Int == 3)
                // Service levels: 4 error events over 150 requests is 2.7 %, far above 0.1 %.
                let sla = try #require(summary.object["sla"] as? [String: Any], "\(summary.body)")
                let targets = try #require(sla["targets"] as? [[String: Any]])
                #expect(sla["requests"] as? Int == 150 && sla["errors"] as? Int == 4 && sla["all_hold"] as? Bool == false, "\(sla)")
                #expect(targets.first?["name"] as? String == "Error rate" && targets.first?["holds"] as? Bool == false, "\(targets)")
                #expect(try await call(client, .get, "organizations/default/business-impact/", auth: t.outsider).status == .notFound)

                // Settings: another currency; a bad one is refused.
                #expect(try await call(client, .put, "organizations/default/business-settings/", #"{"currency": "eur", "compliance_target": 98}"#, auth: t.admin).status == .ok)
                #expect(try await call(client, .put, "organizations/default/business-settings/", #"{"currency": "euros"}"#, auth: t.admin).status == .badRequest)
                summary = try await call(client, .get, "organizations/default/business-impact/?statsPeriod=24h", auth: t.viewer)
                #expect(summary.object["currency"] as? String == "EUR" && summary.object["meets_compliance_target"] as? Bool == false)

                // A rule on revenue at risk over 600 in an hour: the watcher records one crossing, the evaluator alerts once.
                let rule = try await call(client, .post, "organizations/default/alert-rules/",
                                          #"{"name": "Money", "conditions": [{"type": "revenue_at_risk", "amount": 600, "window_seconds": 3600}], "actions": [{"type": "notify", "roles": ["owner"]}]}"#,
                                          auth: t.admin)
                #expect(rule.status == .created, "\(rule.body)")
                let store = try await environment.openStore()
                try await store.whileRunning { store in
                    let watcher = RevenueWatcher(repositories: store.repositories)
                    var standing = StandingCrossings()
                    let first = try await watcher.pass(now: Date(), standing: &standing)
                    #expect(first.count == 1 && first.first?.reason.hasPrefix("EUR 1020.00 at risk in 1 h") == true, "\(first)")
                    #expect(try await watcher.pass(now: Date(), standing: &standing).isEmpty)
                    let evaluator = AlertEvaluator(repositories: store.repositories, publicURL: "http://telltale.test", logger: TestDatabase.logger,
                                                   metrics: NOOPMetricsHandler.instance)
                    try await evaluator.evaluate()
                }
                let alerts = try await call(client, .get, "organizations/default/alerts/", auth: t.admin)
                let alert = try #require((alerts.object["alerts"] as? [[String: Any]])?.first { $0["title"] as? String == "Revenue at risk" }, "\(alerts.body)")
                #expect((alert["link"] as? String)?.hasSuffix("/organizations/default/business/") == true, "\(alert)")
            }
        }
    }
}

extension IssuesAPITests {
    @Test("business events by key or token, idempotent by id, oversized bags refused; metrics: active users, adoption, revenue, churn",
          arguments: TestDatabase.allCases)
    func businessEvents(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                var t = try await setUp(environment)
                t.admin = try await managerToken(environment)
                func post(_ body: String, auth: HTTPFields? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
                    var headers: HTTPFields = [.contentType: "application/json"]
                    if let auth { headers.append(contentsOf: auth) } else { headers[HTTPField.Name("X-Sentry-Auth")!] = "Sentry sentry_key=\(t.key)" }
                    return try await client.execute(uri: "/api/0/projects/default/default/business-events/", method: .post, headers: headers,
                                                    body: ByteBuffer(string: body)) { response in
                        (response.status, (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any] ?? [:])
                    }
                }
                // Two weeks: in the earlier one four users act four times each; in the later one
                // u1 keeps going, u2 drops to one booking, u3 stops, u4 halves (not more than half:
                // no churn signal). Bookings carry value.
                var calendar = Calendar(identifier: .iso8601)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let monday = calendar.dateInterval(of: .weekOfYear, for: Date())!.start.timeIntervalSince1970
                let previous = monday - 14 * 86_400 + 86_400, latest = monday - 7 * 86_400 + 86_400
                var events: [String] = []
                for (user, counts) in [("u1", (4, 4)), ("u2", (4, 0)), ("u3", (4, 0)), ("u4", (4, 2))] {
                    for i in 0..<counts.0 { events.append(#"{"id": "\#(user)-p\#(i)", "name": "signup_step", "user_id": "\#(user)", "timestamp": \#(previous + Double(i))}"#) }
                    for i in 0..<counts.1 { events.append(#"{"id": "\#(user)-l\#(i)", "name": "signup_step", "user_id": "\#(user)", "timestamp": \#(latest + Double(i))}"#) }
                }
                events.append(#"{"id": "b1", "name": "booking_completed", "user_id": "u1", "value": 50, "timestamp": \#(latest + 100)}"#)
                events.append(#"{"id": "b2", "name": "booking_completed", "user_id": "u2", "value": 70.5, "timestamp": \#(latest + 200)}"#)
                var (status, reply) = try await post("[" + events.joined(separator: ",") + "]")
                #expect(status == .ok && reply["accepted"] as? Int == events.count && reply["duplicates"] as? Int == 0, "\(reply)")
                // A retry of the same ids with a token stores nothing twice.
                (status, reply) = try await post("[" + events.prefix(5).joined(separator: ",") + "]", auth: t.member)
                #expect(status == .ok && reply["accepted"] as? Int == 0 && reply["duplicates"] as? Int == 5, "\(reply)")
                // A 1 MB property bag: 413; a forged key: refused; nothing stored.
                (status, reply) = try await post(#"{"name": "x", "properties": {"blob": "\#(String(repeating: "a", count: 1 << 20))"}}"#)
                #expect(status == .contentTooLarge && (reply["detail"] as? String)?.contains("properties is") == true, "\(reply)")
                let forged = try await client.execute(uri: "/api/0/projects/default/default/business-events/", method: .post,
                                                      headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=0000", .contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"name": "x"}"#)) { $0.status }
                #expect(forged == .unauthorized || forged == .forbidden, "\(forged)")

                let metrics = try await call(client, .get, "organizations/default/business-metrics/?statsPeriod=30d", auth: t.viewer)
                #expect(metrics.status == .ok, "\(metrics.body)")
                #expect(metrics.object["active_users_total"] as? Int == 4 && metrics.object["revenue_total"] as? Double == 120.5, "\(metrics.body)")
                let rows = try #require(metrics.object["events"] as? [[String: Any]])
                let booking = try #require(rows.first { $0["name"] as? String == "booking_completed" }, "\(rows)")
                #expect(booking["count"] as? Int == 2 && booking["users"] as? Int == 2 && booking["adoption"] as? Double == 0.5 && booking["value"] as? Double == 120.5)
                #expect(rows.first?["name"] as? String == "signup_step" && rows.first?["count"] as? Int == 22)
                let churn = try #require(metrics.object["churn"] as? [String: Any])
                #expect(churn["previous_week_users"] as? Int == 4 && churn["dropped_users"] as? Int == 2 && churn["rate"] as? Double == 0.5, "\(churn)")
                let days = try #require(metrics.object["active_users"] as? [[String: Any]])
                #expect(days.count == 31 && days.map { $0["users"] as? Int ?? 0 }.max() == 4)

                // A workflow measured by business events: each booking an attempt, a failed one
                // (`"success": false`) a failed attempt worth its value per failure.
                let workflow = try await call(client, .post, "organizations/default/workflows/",
                                              #"{"name": "Bookings", "weight": 20, "target": 95, "match": {"events": ["booking_completed"]}, "value_per_failure": 30}"#,
                                              auth: t.admin)
                #expect(workflow.status == .created, "\(workflow.body)")
                (status, reply) = try await post(#"[{"id": "b3", "name": "booking_completed", "user_id": "u4", "properties": {"success": false}}, {"id": "b4", "name": "booking_completed", "user_id": "u4", "properties": {"outcome": "ok"}}]"#)
                #expect(status == .ok && reply["accepted"] as? Int == 2)
                let impact = try await call(client, .get, "organizations/default/business-impact/?statsPeriod=30d", auth: t.viewer)
                let bookings = try #require((impact.object["workflows"] as? [[String: Any]])?.first { $0["name"] as? String == "Bookings" }, "\(impact.body)")
                #expect(bookings["attempts"] as? Int == 4 && bookings["failures"] as? Int == 1 && bookings["success_rate"] as? Double == 75
                        && bookings["revenue_at_risk"] as? Double == 30, "\(bookings)")
            }
        }
    }

    @Test("a signup funnel over two requests: conversion per step, drop-off, median time, segmented by traffic source; bad funnels refused",
          arguments: TestDatabase.allCases)
    func funnels(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                var t = try await setUp(environment)
                t.admin = try await managerToken(environment)
                let definition = #"{"name": "Signup", "steps": [{"event": "signup_started"}, {"event": "signup_completed"}, {"event": "subscription_started", "where": {"plan": "pro"}, "label": "Pro subscription"}], "conversion_window_seconds": 86400, "segments": ["traffic_source", "device"]}"#
                let refused = try await call(client, .post, "organizations/default/funnels/", definition, auth: t.viewer)
                #expect([.forbidden, .notFound].contains(refused.status), "\(refused.status)")
                let noSteps = try await call(client, .post, "organizations/default/funnels/", #"{"name": "Empty", "steps": []}"#, auth: t.admin)
                #expect(noSteps.status == .badRequest && noSteps.body.contains("steps"), "\(noSteps.body)")
                let created = try await call(client, .post, "organizations/default/funnels/", definition, auth: t.admin)
                #expect(created.status == .created, "\(created.body)")
                let id = try #require(created.object["id"] as? String)
                let twice = try await call(client, .post, "organizations/default/funnels/", definition, auth: t.admin)
                #expect(twice.status == .conflict, "\(twice.status) \(twice.body)")

                // Ten users start (six from ads, four organic); seven complete, five take pro
                // (two from ads, three organic), and one more takes the free plan (not the step).
                let start = Date().timeIntervalSince1970 - 3_600
                var first: [String] = [], rest: [String] = []
                for i in 0..<10 {
                    let source = i < 6 ? "ads" : "organic"
                    first.append(#"{"id": "s\#(i)", "name": "signup_started", "user_id": "u\#(i)", "timestamp": \#(start + Double(i)), "properties": {"traffic_source": "\#(source)", "device": "mobile"}}"#)
                    if [0, 1, 2, 3, 6, 7, 8].contains(i) {
                        rest.append(#"{"id": "c\#(i)", "name": "signup_completed", "user_id": "u\#(i)", "timestamp": \#(start + Double(i) + 60)}"#)
                    }
                    if [0, 1, 6, 7, 8].contains(i) {
                        rest.append(#"{"id": "p\#(i)", "name": "subscription_started", "user_id": "u\#(i)", "timestamp": \#(start + Double(i) + 360), "properties": {"plan": "pro"}}"#)
                    }
                }
                rest.append(#"{"id": "f3", "name": "subscription_started", "user_id": "u3", "timestamp": \#(start + 400), "properties": {"plan": "free"}}"#)
                for batch in [first, rest] {
                    let posted = try await client.execute(uri: "/api/0/projects/default/default/business-events/", method: .post,
                                                          headers: [HTTPField.Name("X-Sentry-Auth")!: "Sentry sentry_key=\(t.key)", .contentType: "application/json"],
                                                          body: ByteBuffer(string: "[" + batch.joined(separator: ",") + "]")) { $0.status }
                    #expect(posted == .ok)
                }

                let report = try await call(client, .get, "organizations/default/funnels/\(id)/?statsPeriod=7d&segment=traffic_source", auth: t.viewer)
                #expect(report.status == .ok, "\(report.body)")
                #expect(report.object["entered"] as? Int == 10 && report.object["converted"] as? Int == 5 && report.object["conversion"] as? Double == 0.5, "\(report.body)")
                let steps = try #require(report.object["steps"] as? [[String: Any]])
                #expect(steps.map { $0["users"] as? Int } == [10, 7, 5] && steps.map { $0["drop_off"] as? Int } == [0, 3, 2], "\(steps)")
                #expect(steps[1]["conversion_from_previous"] as? Double == 0.7 && steps[2]["label"] as? String == "Pro subscription")
                let median1 = try #require(steps[1]["median_seconds_from_previous"] as? Double), median2 = try #require(steps[2]["median_seconds_from_previous"] as? Double)
                #expect(abs(median1 - 60) < 1 && abs(median2 - 300) < 3, "\(median1) \(median2)")
                let segments = try #require(report.object["segments"] as? [[String: Any]])
                #expect(segments.map { $0["value"] as? String } == ["ads", "organic"], "\(segments)")
                #expect(segments.map { $0["entered"] as? Int } == [6, 4] && segments.map { $0["converted"] as? Int } == [2, 3])
                #expect(((segments[1]["steps"] as? [[String: Any]])?.map { $0["users"] as? Int }) == [4, 3, 3])

                let metrics = try await call(client, .get, "organizations/default/business-metrics/?statsPeriod=7d", auth: t.viewer)
                let conversion = try #require((metrics.object["conversions"] as? [[String: Any]])?.first, "\(metrics.body)")
                #expect(conversion["name"] as? String == "Signup" && conversion["entered"] as? Int == 10 && conversion["converted"] as? Int == 5 && conversion["conversion"] as? Double == 0.5)
                let unknown = try await call(client, .get, "organizations/default/funnels/\(id)/?segment=country", auth: t.viewer)
                #expect(unknown.status == .badRequest && unknown.body.contains("traffic_source"), "\(unknown.body)")
                // A changed definition starts afresh; a rename keeps the figures.
                let renamed = try await call(client, .put, "organizations/default/funnels/\(id)/", definition.replacingOccurrences(of: #""Signup""#, with: #""Sign-up""#), auth: t.admin)
                #expect(renamed.status == .ok && renamed.object["name"] as? String == "Sign-up", "\(renamed.body)")
                #expect(try await call(client, .get, "organizations/default/funnels/\(id)/", auth: t.viewer).object["entered"] as? Int == 10)
                let changed = try await call(client, .put, "organizations/default/funnels/\(id)/", definition.replacingOccurrences(of: "86400", with: "3600"), auth: t.admin)
                #expect(changed.status == .ok)
                #expect(try await call(client, .get, "organizations/default/funnels/\(id)/", auth: t.viewer).object["entered"] as? Int == 0)
                #expect(try await call(client, .get, "organizations/default/funnels/", auth: t.viewer).list.count == 1)
                #expect(try await call(client, .delete, "organizations/default/funnels/\(id)/", auth: t.admin).status == .noContent)
                #expect(try await call(client, .get, "organizations/default/funnels/\(id)/", auth: t.viewer).status == .notFound)
            }
        }
    }
}
