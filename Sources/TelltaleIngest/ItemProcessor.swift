import Crypto
import Foundation
import SentryProtocol
package import TelltaleCore

/// Turns envelope items into records for one project: parse each payload once, normalize,
/// scrub, group, compress. A bad item becomes an `invalid` outcome; it never fails the others.
package struct ItemProcessor {
    let project: Project
    let settings: IngestSettings
    let context: EventContext
    let allowNonFinite: Bool
    let grouping: Grouping
    let scrubber: Scrubber

    package init(project: Project, settings: IngestSettings, context: EventContext, allowNonFinite: Bool, hashSecret: String) {
        self.project = project
        self.settings = settings
        self.context = context
        self.allowNonFinite = allowNonFinite
        self.grouping = Grouping(digest: Self.digest)
        let key = SymmetricKey(data: Array(hashSecret.utf8))
        self.scrubber = Scrubber(policy: project.settings.scrubbing) { value in
            Hex.lowercase(Array(HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key).prefix(16)))
        }
    }

    /// SHA-256 of the values joined by 0x1F, first 32 hex digits (§12.8).
    package static let digest: Grouping.Digest = { values in
        var hasher = SHA256()
        let separator: [UInt8] = [0x1F]
        for (index, value) in values.enumerated() {
            if index > 0 { hasher.update(data: separator) }
            // The string's own UTF-8 storage, not a copy of it.
            var value = value
            value.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return Hex.lowercase(Array(hasher.finalize().prefix(16)))
    }

    /// An outcome for this project.
    func outcome(_ outcome: String, _ category: String, _ reason: String, quantity: Int = 1) -> IngestRecord {
        .outcome(OutcomeRecord(projectID: project.id, timestamp: context.receivedAt, outcome: outcome, category: category, reason: reason, quantity: quantity))
    }

    func json(_ payload: ArraySlice<UInt8>) -> JSONValue? {
        try? JSONParser.parse(payload, allowNonFinite: allowNonFinite)
    }

    /// Records for one item; throws only for limits the protocol answers with 413.
    func records(for item: Envelope.Item) throws(IngestFailure) -> [IngestRecord] {
        let type = item.type
        switch type {
        case "transaction" where item.payload.count > settings.maxEventBytes:
            // An oversized transaction (100,000 spans) is dropped and counted; the envelope's other items still count.
            return [outcome("invalid", "transaction", "transaction larger than \(settings.maxEventBytes) bytes", quantity: 1)]
        case "event", "transaction", "feedback":
            guard item.payload.count <= settings.maxEventBytes else {
                throw IngestFailure(413, "envelope item '\(type)' exceeds the size limit of \(settings.maxEventBytes) bytes")
            }
        case "check_in":
            guard item.payload.count <= 100 * 1024 else { throw IngestFailure(413, "check_in item exceeds 100 KiB") }
        default: break
        }
        switch type {
        case "event": return [event(item.payload)]
        case "transaction": return transaction(item.payload)
        case "feedback": return [feedback(item.payload)]
        case "user_report": return [userReport(item.payload)]
        case "session": return session(item.payload)
        case "sessions": return sessions(item.payload)
        case "check_in": return [checkIn(item.payload)]
        case "attachment": return [attachment(item)]
        case "client_report": return clientReport(item.payload)
        default: return [outcome("discarded", DataCategory.of(itemType: type), "unsupported item type '\(type)'")]
        }
    }

    package func event(_ payload: ArraySlice<UInt8>) -> IngestRecord {
        do {
            return event(try JSONParser.parse(payload, allowNonFinite: allowNonFinite))
        } catch {
            return outcome("invalid", "error", "event payload is not valid JSON: \(error.reason.prefix(80))")
        }
    }

    /// An already parsed event (native API and webhooks hand over values, not bytes).
    func event(_ value: JSONValue) -> IngestRecord {
        if project.settings.sampleRate < 1, Double.random(in: 0..<1) >= project.settings.sampleRate {
            return outcome("filtered", "error", "sample_rate")
        }
        do {
            let normalized = scrubber.scrub(try EventNormalizer.normalize(value, context: context))
            let summary = EventNormalizer.summarize(normalized)
            return .event(EventRecord(
                projectID: project.id, summary: summary, grouping: grouping.group(normalized),
                payload: PayloadCompression.compress(normalized.serialized()), receivedAt: context.receivedAt
            ))
        } catch {
            return outcome("invalid", "error", error.reason)
        }
    }

    /// The transaction, and an error-like event for each performance problem found in it.
    func transaction(_ payload: ArraySlice<UInt8>) -> [IngestRecord] {
        guard let value = json(payload) else { return [outcome("invalid", "transaction", "transaction payload is not valid JSON")] }
        let normalized: JSONValue
        let facts: TransactionFacts
        do {
            normalized = scrubber.scrub(try EventNormalizer.normalize(value, context: context, defaultType: "transaction"))
        } catch {
            return [outcome("invalid", "transaction", error.reason)]
        }
        do {
            facts = try TransactionFacts(normalized)
        } catch {
            return [outcome("invalid", "transaction", error.description)]
        }
        let trace = normalized["contexts"]?["trace"]
        let eventID = normalized["event_id"]?.stringValue ?? ""
        let performance = project.settings.performance
        var records: [IngestRecord] = [.transaction(TransactionRecord(
            projectID: project.id, eventID: eventID, traceID: trace?["trace_id"]?.stringValue,
            name: facts.name, op: facts.op, status: facts.status, startTimestamp: facts.start, timestamp: facts.end,
            release: normalized["release"]?.stringValue, environment: normalized["environment"]?.stringValue,
            payload: PayloadCompression.compress(normalized.serialized()), facts: facts, apdexThreshold: performance.threshold(for: facts.name)
        ))]
        if performance.detectProblems {
            for problem in PerformanceDetector.problems(in: facts.spans, thresholds: performance.problems) {
                records.append(event(PerformanceProblemEvent.payload(problem, transaction: normalized, facts: facts, eventID: eventID)))
            }
        }
        return records
    }

    func feedback(_ payload: ArraySlice<UInt8>) -> IngestRecord {
        guard let value = json(payload), let feedback = value["contexts"]?["feedback"],
              let message = feedback["message"]?.stringValue, !message.isEmpty
        else { return outcome("invalid", "feedback", "feedback without contexts.feedback.message") }
        return .userReport(UserReportRecord(
            projectID: project.id, eventID: feedback["associated_event_id"]?.stringValue.flatMap(EventID.normalize),
            name: feedback["name"]?.stringValue, email: feedback["contact_email"]?.stringValue,
            comments: String(message.prefix(8192)), source: "feedback",
            timestamp: Timestamps.seconds(value["timestamp"]) ?? context.receivedAt
        ))
    }

    func userReport(_ payload: ArraySlice<UInt8>) -> IngestRecord {
        guard let value = json(payload), let comments = value["comments"]?.stringValue, !comments.isEmpty
        else { return outcome("invalid", "feedback", "user_report without comments") }
        return .userReport(UserReportRecord(
            projectID: project.id, eventID: value["event_id"]?.stringValue.flatMap(EventID.normalize) ?? context.envelopeEventID,
            name: value["name"]?.stringValue, email: value["email"]?.stringValue, comments: String(comments.prefix(8192)),
            source: "user_report", timestamp: context.receivedAt
        ))
    }

    func session(_ payload: ArraySlice<UInt8>) -> [IngestRecord] {
        guard let value = json(payload), let release = value["attrs"]?["release"]?.stringValue, !release.isEmpty else {
            return [outcome("invalid", "session", "session without attrs.release")]
        }
        return [.session(SessionRecord(
            projectID: project.id, kind: "session", sessionID: value["sid"]?.stringValue, distinctID: value["did"]?.scalarText,
            status: value["status"]?.stringValue ?? "ok", errors: Int(value["errors"]?.intValue ?? 0), isInit: value["init"]?.boolValue ?? false,
            started: Timestamps.seconds(value["started"]) ?? context.receivedAt, duration: value["duration"]?.doubleValue,
            release: release, environment: value["attrs"]?["environment"]?.stringValue
        ))]
    }

    func sessions(_ payload: ArraySlice<UInt8>) -> [IngestRecord] {
        guard let value = json(payload), let release = value["attrs"]?["release"]?.stringValue, !release.isEmpty,
              let aggregates = value["aggregates"]?.arrayValue
        else { return [outcome("invalid", "session", "sessions without attrs.release or aggregates")] }
        let environment = value["attrs"]?["environment"]?.stringValue
        return aggregates.map { bucket in
            func count(_ key: String) -> Int { Int(bucket[key]?.intValue ?? 0) }
            return .session(SessionRecord(
                projectID: project.id, kind: "aggregate", sessionID: nil, distinctID: bucket["did"]?.scalarText, status: "aggregate",
                errors: count("errored") + count("crashed") + count("abnormal"), isInit: true,
                started: Timestamps.seconds(bucket["started"]) ?? context.receivedAt, duration: nil, release: release, environment: environment,
                exited: count("exited"), errored: count("errored"), abnormal: count("abnormal"), crashed: count("crashed")
            ))
        }
    }

    func checkIn(_ payload: ArraySlice<UInt8>) -> IngestRecord {
        guard let value = json(payload), let slug = value["monitor_slug"]?.stringValue, !slug.isEmpty,
              let status = value["status"]?.stringValue, ["in_progress", "ok", "error"].contains(status)
        else { return outcome("invalid", "monitor", "check_in needs monitor_slug and status in_progress, ok or error") }
        return .checkIn(CheckInRecord(
            projectID: project.id, checkInID: value["check_in_id"]?.stringValue.flatMap(EventID.normalize) ?? SecretGenerator.hex(byteCount: 16),
            monitorSlug: String(slug.prefix(128)), status: status, duration: value["duration"]?.doubleValue,
            environment: value["environment"]?.stringValue, timestamp: context.receivedAt,
            payload: PayloadCompression.compress(value.serialized()),
            // A config that does not parse leaves the monitor as it is; the check-in still counts.
            config: value["monitor_config"].flatMap { try? CronMonitorConfig($0) }
        ))
    }

    func attachment(_ item: Envelope.Item) -> IngestRecord {
        guard item.payload.count <= settings.maxAttachmentBytes else {
            return outcome("filtered", "attachment", "attachment larger than \(settings.maxAttachmentBytes) bytes", quantity: item.payload.count)
        }
        guard let eventID = context.envelopeEventID else { return outcome("invalid", "attachment", "attachment without an envelope event_id") }
        return .attachment(AttachmentRecord(
            projectID: project.id, eventID: eventID, filename: String((item.header["filename"]?.stringValue ?? "attachment").prefix(255)),
            contentType: item.header["content_type"]?.stringValue ?? "application/octet-stream",
            attachmentType: item.header["attachment_type"]?.stringValue ?? "event.attachment",
            data: Array(item.payload), timestamp: context.receivedAt
        ))
    }

    func clientReport(_ payload: ArraySlice<UInt8>) -> [IngestRecord] {
        guard let value = json(payload) else { return [] }
        var records: [IngestRecord] = []
        for (field, kind) in [("discarded_events", "client_discard"), ("rate_limited_events", "rate_limited"), ("filtered_events", "filtered")] {
            for entry in value[field]?.arrayValue ?? [] {
                guard let reason = entry["reason"]?.stringValue, let category = entry["category"]?.stringValue,
                      let quantity = entry["quantity"]?.intValue, quantity > 0 else { continue }
                records.append(outcome(kind, category, reason, quantity: Int(quantity)))
            }
        }
        return records
    }
}
