import Foundation
public import Logging
public import NIOCore
public import SentryProtocol
import Synchronization
public import TelltaleCore

/// One ingest request as the HTTP layer hands it over.
public struct IngestRequest: Sendable {
    /// `envelope` or `store`.
    public enum Endpoint: Sendable { case envelope, store }

    public var endpoint: Endpoint
    /// The `{project_id}` path segment.
    public var projectID: String
    public var body: ByteBuffer
    public var contentEncoding: String?
    public var contentType: String?
    /// `X-Sentry-Auth`, or `Authorization` when it starts with `Sentry`.
    public var authHeader: String?
    /// Query parameters (browser SDKs authenticate there).
    public var query: [String: String]
    /// The peer address, for `{{auto}}`.
    public var clientIP: String?

    public init(endpoint: Endpoint, projectID: String, body: ByteBuffer, contentEncoding: String?, contentType: String?,
                authHeader: String?, query: [String: String], clientIP: String?) {
        self.endpoint = endpoint
        self.projectID = projectID
        self.body = body
        self.contentEncoding = contentEncoding
        self.contentType = contentType
        self.authHeader = authHeader
        self.query = query
        self.clientIP = clientIP
    }
}

/// The ingest path: authenticate → decompress (bounded) → parse → rate-limit → normalize,
/// scrub, group → queue → answer after the commit (DESIGN.md, "The ingest path").
public final class IngestService: Sendable {
    let keys: ClientKeyCache
    let writer: IngestWriter
    let settings: IngestSettings
    let hashSecret: Mutex<String>
    let limiter = Mutex(RateLimiter())
    let checkInHandler = Mutex<(@Sendable ([CheckInRecord]) async -> Void)?>(nil)
    let logger: Logger

    /// Creates the service; call ``setHashSecret(_:)`` before the first request.
    public init(keys: ClientKeyCache, writer: IngestWriter, settings: IngestSettings, logger: Logger) {
        self.keys = keys
        self.writer = writer
        self.settings = settings
        self.hashSecret = Mutex("")
        self.logger = logger
    }

    /// Sets the installation secret that keys pseudonymizing hashes of IPs and user ids
    /// (read from the database once it is migrated).
    public func setHashSecret(_ secret: String) {
        hashSecret.withLock { $0 = secret }
    }

    /// Processes a request; returns once everything accepted is committed.
    public func ingest(_ request: IngestRequest) async throws(IngestFailure) -> IngestReceipt {
        let receivedAt = Date().timeIntervalSince1970
        guard let projectNumber = Int64(request.projectID), projectNumber > 0 else {
            throw IngestFailure(400, "project id '\(request.projectID.prefix(40))' in the path is not a number")
        }
        let body: [UInt8]
        do throws(Decompression.Failure) {
            body = try Decompression.decode(request.body, encoding: request.contentEncoding, limit: request.endpoint == .store ? settings.maxEventBytes : settings.maxEnvelopeBytes)
        } catch {
            switch error {
            case .tooLarge(let limit):
                throw IngestFailure(413, "request body exceeds the limit of \(limit) bytes after decompression")
            case .corrupt(let encoding):
                throw IngestFailure(400, "request body is not valid \(encoding) data")
            case .unsupported(let encoding):
                throw IngestFailure(415, "unsupported Content-Encoding '\(encoding.prefix(40))'; use gzip, deflate, br or identity")
            }
        }
        guard !body.isEmpty else { throw IngestFailure(400, "empty request body") }

        let envelope = try Self.envelope(for: request, body: body)
        let auth = request.authHeader.flatMap(SentryAuth.parse(header:))
        let grant = try await authorize(request, auth: auth, envelope: envelope, projectID: ProjectID(projectNumber))
        var (items, limits, limitedOutcomes) = applyRateLimits(envelope.items, grant: grant, now: receivedAt)
        if items.isEmpty, !limits.isEmpty {
            try? await writer.submit(limitedOutcomes)
            throw IngestFailure(429, "rate limit exceeded", retryAfter: limits.map(\.retryAfter).max(), rateLimits: RateLimit.header(limits))
        }

        let sdkClient = auth?.client ?? request.query["sentry_client"] ?? ""
        var eventID = envelope.eventID
        let context = EventContext(
            envelopeEventID: eventID, receivedAt: receivedAt, sentAt: Timestamps.seconds(envelope.header["sent_at"]),
            clientIP: request.clientIP, envelopeSDK: envelope.header["sdk"]
        )
        let processor = ItemProcessor(
            project: grant.project, settings: settings, context: context,
            allowNonFinite: sdkClient.hasPrefix("raven-python") || sdkClient.hasPrefix("sentry-python"), hashSecret: hashSecret.withLock { $0 }
        )
        var records = limitedOutcomes
        var seenTypes = Set<String>()
        for item in items {
            // One event and one transaction per envelope (Sentry's rule): later ones would share
            // the envelope's event id, so they are counted, not silently deduplicated away.
            if item.type == "event" || item.type == "transaction", !seenTypes.insert(item.type).inserted {
                records.append(processor.outcome("invalid", DataCategory.of(itemType: item.type),
                                                 "duplicate_item: an envelope carries at most one \(item.type) item"))
                continue
            }
            let itemRecords = try processor.records(for: item)
            for case .event(let event) in itemRecords where eventID == nil { eventID = event.summary.eventID }
            records += itemRecords
        }
        items.removeAll()
        if request.endpoint == .store, let refused = Self.storeRefusal(records) {
            try await commit(records, projectID: grant.project.id)
            throw IngestFailure(400, "event was not stored: \(refused)")
        }
        try await commit(records, projectID: grant.project.id)
        return IngestReceipt(eventID: eventID, rateLimits: limits.isEmpty ? nil : RateLimit.header(limits))
    }

    /// Ingests already-shaped event payloads (native API, webhooks) for a project through
    /// the same normalize → scrub → group → group-commit path as SDK envelopes.
    public func ingest(events: [JSONValue], project: Project, organizationRateLimit: Int?, clientIP: String?) async throws(IngestFailure) -> [String] {
        let receivedAt = Date().timeIntervalSince1970
        if let limit = organizationRateLimit ?? settings.defaultOrganizationRateLimit,
           case .limited(let retry) = limiter.withLock({ $0.admit(key: "org:\(project.organizationID)", limit: limit, quantity: events.count, now: receivedAt) }) {
            let limits = [RateLimit(retryAfter: retry, categories: ["error", "default"], scope: "organization", reason: "org_quota")]
            throw IngestFailure(429, "rate limit exceeded", retryAfter: retry, rateLimits: RateLimit.header(limits))
        }
        let context = EventContext(envelopeEventID: nil, receivedAt: receivedAt, clientIP: clientIP)
        let processor = ItemProcessor(project: project, settings: settings, context: context, allowNonFinite: false, hashSecret: hashSecret.withLock { $0 })
        var records: [IngestRecord] = []
        var ids: [String] = []
        for event in events {
            let record = processor.event(event)
            if case .event(let stored) = record { ids.append(stored.summary.eventID) }
            records.append(record)
        }
        try await commit(records, projectID: project.id)
        return ids
    }

    /// The grant of a client key for a project: 401 unknown key, 404 unknown project,
    /// 403 another project's or a disabled key.
    public func grant(publicKey: String, projectID: ProjectID) async throws(IngestFailure) -> KeyGrant {
        let grant: KeyGrant?
        do {
            grant = try await keys.grant(publicKey: publicKey)
        } catch {
            logger.error("Key lookup failed", metadata: ["error": "\(error)"])
            throw IngestFailure(503, "server is unavailable; retry later", retryAfter: 10)
        }
        guard let grant else { throw IngestFailure(401, "unknown public key") }
        guard grant.key.projectID == projectID else {
            if (try? await keys.projectExists(projectID)) == false { throw IngestFailure(404, "project \(projectID) does not exist") }
            throw IngestFailure(403, "this key does not belong to project \(projectID)")
        }
        guard grant.key.isActive else { throw IngestFailure(403, "this key is disabled") }
        return grant
    }

    /// Sets who acts on committed cron check-ins (the monitors capability).
    public func setCheckInHandler(_ handler: @escaping @Sendable ([CheckInRecord]) async -> Void) {
        checkInHandler.withLock { $0 = handler }
    }

    /// Hands records to the writer and waits for their commit; maps refusals to 503.
    func commit(_ records: [IngestRecord], projectID: ProjectID) async throws(IngestFailure) {
        do {
            try await writer.submit(records)
            // Check-ins are rare; only an envelope that carries one pays for this.
            if let handler = checkInHandler.withLock({ $0 }) {
                let checkIns = records.compactMap { record -> CheckInRecord? in
                    if case .checkIn(let checkIn) = record { return checkIn }
                    return nil
                }
                if !checkIns.isEmpty { await handler(checkIns) }
            }
        } catch is StorageFull {
            // The writer logs the full disk once; each refusal tells the client when to come back.
            throw IngestFailure(503, "the server's disk is full: events were not stored; retry later", retryAfter: 60)
        } catch is IngestWriter.Overloaded {
            logger.warning("Ingest queue full; asking the client to retry", metadata: ["project.id": "\(projectID)"])
            throw IngestFailure(503, "server is busy; retry later", retryAfter: 5)
        } catch {
            logger.error("Ingest commit failed", metadata: ["project.id": "\(projectID)", "error": "\(error)"])
            throw IngestFailure(503, "events could not be stored; retry later", retryAfter: 10)
        }
    }

    /// Why a `/store/` body's one event was refused, when it was invalid: that endpoint answers
    /// 400 with the reason rather than an id for nothing (the outcome is recorded too).
    static func storeRefusal(_ records: [IngestRecord]) -> String? {
        var reason: String?
        for record in records {
            switch record {
            case .event, .transaction: return nil
            case .outcome(let outcome) where outcome.outcome == "invalid": reason = reason ?? outcome.reason
            default: continue
            }
        }
        return reason
    }

    /// The body as an envelope: `/store/` bodies are one event (JSON, or base64+zlib from
    /// old clients) unless they declare the envelope content type and have items. A one-line
    /// JSON body sent to `/store/` with the envelope type would otherwise be an envelope
    /// header without items: answered with its id, and the event lost.
    static func envelope(for request: IngestRequest, body: [UInt8]) throws(IngestFailure) -> Envelope {
        // Only `/store/` pays for the scan; the envelope endpoint, the hot path, does not.
        func isOneLine() -> Bool {
            !(body.lastIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }).map { body[..<$0].contains(0x0A) } ?? false)
        }
        if request.endpoint == .store,
           request.contentType?.lowercased().hasPrefix("application/x-sentry-envelope") != true || isOneLine() {
            var json = body
            if json.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) != UInt8(ascii: "{") {
                guard let decoded = Data(base64Encoded: Data(body), options: .ignoreUnknownCharacters) else {
                    throw IngestFailure(400, "store body is neither JSON nor base64")
                }
                json = Array(decoded)
                if json.first != UInt8(ascii: "{") {
                    guard let inflated = try? Decompression.decode(ByteBuffer(bytes: json), encoding: "deflate", limit: 1 << 20) else {
                        throw IngestFailure(400, "store body is not valid JSON")
                    }
                    json = inflated
                }
            }
            guard case .object(let event)? = try? JSONParser.parse(json, allowNonFinite: true) else {
                throw IngestFailure(400, "store body is not a JSON object")
            }
            let type = event["type"]?.stringValue == "transaction" ? "transaction" : "event"
            var header: JSONObject = [:]
            if let id = event["event_id"]?.stringValue.flatMap(EventID.normalize) { header["event_id"] = .string(id) }
            return Envelope(header: header, items: [Envelope.Item(header: ["type": .string(type)], payload: ArraySlice(json))])
        }
        do {
            return try Envelope.parse(body)
        } catch {
            throw IngestFailure(400, "malformed envelope: \(error.reason)")
        }
    }

    /// Finds the key in the header, the query or the envelope's DSN, and checks it may
    /// send to the project in the path.
    func authorize(_ request: IngestRequest, auth: SentryAuth?, envelope: Envelope, projectID: ProjectID) async throws(IngestFailure) -> KeyGrant {
        let headerKey = auth?.publicKey
        let queryKey = SentryAuth.parse(query: request.query)?.publicKey
        var dsnKey: String?
        if let dsnText = envelope.header["dsn"]?.stringValue {
            guard let dsn = DSN(dsnText), dsn.projectID == String(projectID.rawValue) else {
                throw IngestFailure(400, "envelope header dsn does not match the request's project")
            }
            dsnKey = dsn.publicKey
        }
        let candidates = [headerKey, queryKey, dsnKey].compactMap { $0 }
        guard let publicKey = candidates.first else {
            throw IngestFailure(401, "missing authentication: send X-Sentry-Auth or sentry_key")
        }
        guard candidates.allSatisfy({ $0 == publicKey }) else {
            throw IngestFailure(401, "conflicting keys in X-Sentry-Auth, query and envelope dsn")
        }
        return try await grant(publicKey: publicKey, projectID: projectID)
    }

    /// User reports per minute from one address, and through one key unless the key sets its own limit.
    public static let userReportsPerAddress = 10
    public static let userReportsPerKey = 120

    /// Admits one user report sent with a project's key from `address`, or throws 429 with
    /// the seconds to wait: reports come from anyone's browser, so the address counts too.
    public func admitUserReport(grant: KeyGrant, address: String?, now: Double) throws(IngestFailure) {
        let keyLimit = grant.key.rateLimitPerMinute ?? Self.userReportsPerKey
        let decision = limiter.withLock { limiter -> RateLimiter.Decision in
            if let address, case .limited(let retry) = limiter.admit(key: "report-address:\(address)", limit: Self.userReportsPerAddress, now: now) {
                return .limited(retryAfter: retry)
            }
            return limiter.admit(key: "report-key:\(grant.key.id)", limit: keyLimit, now: now)
        }
        if case .limited(let retry) = decision {
            throw IngestFailure(429, "too many user reports; try again in \(retry) s", retryAfter: retry)
        }
    }

    /// Drops event and transaction items over the key's or organization's per-minute limit.
    func applyRateLimits(_ items: [Envelope.Item], grant: KeyGrant, now: Double) -> ([Envelope.Item], [RateLimit], [IngestRecord]) {
        let keyLimit = grant.key.rateLimitPerMinute ?? settings.defaultKeyRateLimit
        let organizationLimit = grant.organizationRateLimit ?? settings.defaultOrganizationRateLimit
        guard keyLimit != nil || organizationLimit != nil else { return (items, [], []) }
        let counted: Set<String> = ["event", "transaction"]
        let quantity = items.filter { counted.contains($0.type) }.count
        guard quantity > 0 else { return (items, [], []) }
        var limits: [RateLimit] = []
        limiter.withLock { limiter in
            if let keyLimit, case .limited(let retry) = limiter.admit(key: "key:\(grant.key.id)", limit: keyLimit, quantity: quantity, now: now) {
                limits.append(RateLimit(retryAfter: retry, categories: ["error", "default", "transaction"], scope: "key", reason: "key_quota"))
            }
            if limits.isEmpty, let organizationLimit,
               case .limited(let retry) = limiter.admit(key: "org:\(grant.project.organizationID)", limit: organizationLimit, quantity: quantity, now: now) {
                limits.append(RateLimit(retryAfter: retry, categories: ["error", "default", "transaction"], scope: "organization", reason: "org_quota"))
            }
        }
        guard !limits.isEmpty else { return (items, [], []) }
        // What is not counted survives; an envelope left with only client reports answers 429
        // so the SDK backs off at once.
        let others = items.filter { !counted.contains($0.type) }
        let kept = others.contains { $0.type != "client_report" } ? others : []
        let outcomes = items.filter { counted.contains($0.type) }.map { item in
            IngestRecord.outcome(OutcomeRecord(projectID: grant.project.id, timestamp: now, outcome: "rate_limited",
                                               category: DataCategory.of(itemType: item.type), reason: limits[0].reason ?? "quota", quantity: 1))
        }
        return (kept, limits, outcomes)
    }
}
