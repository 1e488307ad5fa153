public import Configuration
public import Foundation
public import Logging
import SystemPackage
public import TelltaleStore
public import TelltaleIngest
public import TelltaleAlerting
public import TelltaleAnalysis
public import TelltaleCore

/// Telltale's whole configuration, read once at start from a `ConfigReader`
/// (environment variables `TELLTALE_…` over an optional JSON file) and validated.
public struct AppConfiguration: Sendable {
    /// How log lines are written.
    public enum LogFormat: String, Sendable, CaseIterable {
        case text
        case json
    }

    /// Address to listen on.
    public var host: String
    /// Port to listen on.
    public var port: Int
    /// Base URL SDKs reach the server at (for DSNs and links).
    public var publicURL: String
    /// Seconds a connection may stay idle, or stall halfway through sending a request,
    /// before the server closes it.
    public var idleTimeoutSeconds: Int
    /// Folder for the SQLite database and other local data.
    public var dataDirectory: String
    /// Where the data lives.
    public var database: DatabaseLocation
    /// SQLite commit durability (`full` survives power loss; `normal` survives crashes).
    public var sqliteSynchronous: SQLiteBackend.Synchronous
    /// Seconds a PostgreSQL call waits for a pooled connection before it fails (ingest answers 503).
    public var connectionWaitSeconds: Int
    /// The database URL as given, with any password masked; `nil` for the default SQLite file.
    public var maskedDatabaseURL: String?
    /// Minimum log level.
    public var logLevel: Logger.Level
    /// Log line format.
    public var logFormat: LogFormat
    /// Ingest limits and default rate limits.
    public var ingest: IngestSettings
    /// Email of the administrator created on first start.
    public var adminEmail: String
    /// Password for that administrator; generated and printed once when absent.
    public var adminPassword: String?
    /// Checks running at once across all monitors.
    public var monitorConcurrency: Int
    /// Days raw monitor results and pings are kept (hourly figures stay 400 days).
    public var monitorResultRetentionDays: Int
    /// Where PagerDuty events go (the Events API v2 endpoint; tests point it at a local receiver).
    public var pagerDutyURL: String
    /// Days the alert history (alerts, deliveries, in-app notifications) is kept.
    public var alertHistoryDays: Int
    /// The first retry delay of runbook HTTP steps, doubled after each retry.
    public var runbookRetryDelayMilliseconds: Int
    /// The installation's mail server, when `smtp.url` and `smtp.from` are set.
    public var smtp: SMTPSettings?
    /// Scheduled backups of the SQLite database, when `backup.interval_hours` is set.
    public var backups: BackupPlan?
    /// Where scheduled backups go.
    public var backupFolder: String
    /// Days audit log entries are kept.
    public var auditRetentionDays: Int
    /// The key sealing stored secrets, when configured (else the data directory's key file).
    public var secretsKey: SecretsKey?
    /// Seconds between passes of the analysis detectors (spikes, escalation, patterns).
    public var detectorIntervalSeconds: Int
    /// How long forwarding may hold events back while ingestion is busy.
    public var forwardingMaxDelaySeconds: Int
    /// Seconds between passes of the performance rollup job (regressions every ten minutes).
    public var rollupIntervalSeconds: Int
    /// Seconds between checks of alert rules' revenue-at-risk thresholds.
    public var revenueCheckIntervalSeconds: Int
    /// The LLM root-cause analyses may ask, when `analysis.llm_url` and `analysis.llm_model` are set.
    public var llm: LLMSettings?

    /// Every setting: its key (in the JSON file), environment variable, default and meaning.
    public static let settings: [Setting] = [
        Setting(key: "http.host", defaultValue: "127.0.0.1", help: "address to listen on (0.0.0.0 for all interfaces)"),
        Setting(key: "http.port", defaultValue: "8600", help: "port to listen on"),
        Setting(key: "http.public_url", defaultValue: "http://<host>:<port>", help: "base URL SDKs use; goes into DSNs"),
        Setting(key: "http.idle_timeout", defaultValue: "60", help: "seconds an idle or stalled connection is kept open"),
        Setting(key: "data.dir", defaultValue: "./telltale-data", help: "folder for the SQLite database"),
        Setting(key: "database.url", defaultValue: "sqlite in data.dir", help: "postgres://user:pass@host:5432/db to use PostgreSQL", isSecret: true),
        Setting(key: "database.sqlite_synchronous", defaultValue: "full", help: "full (survives power loss) or normal (survives crashes, faster)"),
        Setting(key: "database.connection_wait_seconds", defaultValue: "5", help: "seconds a PostgreSQL call waits for a connection before failing"),
        Setting(key: "log.level", defaultValue: "info", help: "trace, debug, info, notice, warning, error or critical"),
        Setting(key: "log.format", defaultValue: "text", help: "text or json"),
        Setting(key: "ingest.max_envelope_mb", defaultValue: "20", help: "largest envelope after decompression, MiB"),
        Setting(key: "ingest.max_attachment_mb", defaultValue: "20", help: "largest stored attachment, MiB"),
        Setting(key: "ingest.key_rate_limit", defaultValue: "off", help: "events per minute per client key when the key sets none"),
        Setting(key: "ingest.org_rate_limit", defaultValue: "off", help: "events per minute per organization when it sets none"),
        Setting(key: "monitors.concurrency", defaultValue: "512", help: "monitor checks running at once"),
        Setting(key: "monitors.result_retention_days", defaultValue: "7", help: "days raw check results and pings are kept"),
        Setting(key: "alerting.pagerduty_url", defaultValue: "https://events.pagerduty.com/v2/enqueue", help: "PagerDuty Events API v2 endpoint"),
        Setting(key: "alerting.history_days", defaultValue: "90", help: "days alerts, deliveries and in-app notifications are kept"),
        Setting(key: "runbooks.retry_delay_ms", defaultValue: "1000", help: "first retry delay of runbook HTTP calls (doubled after each)"),
        Setting(key: "analysis.detector_interval_seconds", defaultValue: "60", help: "seconds between passes of the spike, escalation and pattern detectors"),
        Setting(key: "performance.rollup_interval_seconds", defaultValue: "30", help: "seconds between passes of the performance rollup job (minute statistics into hours and days)"),
        Setting(key: "forwarding.max_delay_seconds", defaultValue: "30", help: "while ingestion is busy, events are forwarded once they are this old (ingestion first; 0: never hold back)"),
        Setting(key: "business.revenue_check_interval_seconds", defaultValue: "60", help: "seconds between checks of alert rules' revenue-at-risk thresholds"),
        Setting(key: "analysis.llm_api", defaultValue: "openai", help: "openai (chat completions) or anthropic (messages): the API the LLM speaks"),
        Setting(key: "analysis.llm_url", defaultValue: "none (offline analysis only)", help: "base URL of the LLM API, e.g. https://api.openai.com/v1"),
        Setting(key: "analysis.llm_model", defaultValue: "none", help: "the model to ask, e.g. gpt-4o-mini or claude-sonnet-4-5"),
        Setting(key: "analysis.llm_key", defaultValue: "none", help: "the LLM API key", isSecret: true),
        Setting(key: "analysis.llm_timeout_seconds", defaultValue: "30", help: "seconds to wait for the LLM before falling back to the offline analysis"),
        Setting(key: "backup.interval_hours", defaultValue: "0 (off)", help: "hours between scheduled backups of the SQLite database (PostgreSQL: use pg_dump)"),
        Setting(key: "backup.folder", defaultValue: "<data.dir>/backups", help: "where scheduled backups go"),
        Setting(key: "backup.keep", defaultValue: "7", help: "scheduled backups kept; older ones are deleted"),
        Setting(key: "backup.compress", defaultValue: "true", help: "compress scheduled backups with Zstandard (.db.zst)"),
        Setting(key: "audit.retention_days", defaultValue: "365", help: "days the audit log keeps its entries"),
        Setting(key: "secrets.key", defaultValue: "generated into <data.dir>/secrets.key",
                help: "32 bytes as base64 sealing stored secrets (channels, forwarders, monitors, runbooks); the same on every node", isSecret: true),
        Setting(key: "smtp.url", defaultValue: "none (email channels off)", help: "smtp://user:pass@host:587?starttls=true, or smtps://host:465", isSecret: true),
        Setting(key: "smtp.from", defaultValue: "none", help: "sender of alert emails, e.g. Telltale <alerts@example.com>"),
        Setting(key: "admin.email", defaultValue: "admin@telltale.local", help: "administrator created on first start"),
        Setting(key: "admin.password", defaultValue: "generated, printed once", help: "that administrator's password", isSecret: true),
    ]

    /// One configuration setting.
    public struct Setting: Sendable {
        /// Dotted key, as in the JSON config file.
        public var key: String
        /// Default, as shown to people.
        public var defaultValue: String
        /// What it does.
        public var help: String
        /// Masked in output.
        public var isSecret = false

        /// `TELLTALE_` + the key in upper case with `_` for `.`.
        public var environmentVariable: String {
            "TELLTALE_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
        }
    }

    /// Reads and validates every setting; throws all problems at once.
    public init(reader: ConfigReader) throws(ConfigurationErrors) {
        var problems: [ConfigurationProblem] = []
        func text(_ key: String, secret: Bool = false) -> String? {
            let configKey = ConfigKey(key)
            if let value = try? reader.requiredString(forKey: configKey, isSecret: secret) {
                return value.trimmingCharacters(in: .whitespaces).isEmpty ? nil : value
            }
            if let value = try? reader.requiredInt(forKey: configKey, isSecret: secret) { return String(value) }
            return nil
        }
        func problem(_ key: String, _ message: String) {
            let setting = Self.settings.first { $0.key == key }
            problems.append(ConfigurationProblem(key: key, environmentVariable: setting?.environmentVariable ?? key, message: message))
        }

        host = text("http.host") ?? "127.0.0.1"
        if host.contains(where: { $0 == " " || $0 == "/" }) { problem("http.host", "'\(host)' is not a host name or address") }

        /// A whole number in `range` (described as `what`), or `fallback` with the problem named.
        func whole(_ key: String, _ fallback: Int, in range: ClosedRange<Int>, _ what: String) -> Int {
            let value = text(key) ?? "\(fallback)"
            guard let number = Int(value), range.contains(number) else {
                problem(key, "'\(value)' is not \(what) (\(range.lowerBound)–\(range.upperBound))")
                return fallback
            }
            return number
        }
        port = whole("http.port", 8600, in: 1...65535, "a port number")
        idleTimeoutSeconds = whole("http.idle_timeout", 60, in: 1...3_600, "a number of seconds")

        let urlHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        publicURL = text("http.public_url") ?? "http://\(urlHost):\(port)"
        if let url = URLComponents(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false {
            while publicURL.hasSuffix("/") { publicURL.removeLast() }
        } else {
            problem("http.public_url", "'\(publicURL)' is not an http(s) URL")
        }

        dataDirectory = text("data.dir") ?? "./telltale-data"
        if let reason = Self.dataDirectoryProblem(dataDirectory) { problem("data.dir", reason) }

        if let url = text("database.url", secret: true) {
            maskedDatabaseURL = DatabaseLocation.masked(url: url)
            do {
                database = try DatabaseLocation.parse(url: url)
            } catch {
                problem("database.url", "'\(DatabaseLocation.masked(url: url))' \(error.reason)")
                database = .sqlite(path: "")
            }
        } else {
            maskedDatabaseURL = nil
            database = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("telltale.db"))
        }

        connectionWaitSeconds = whole("database.connection_wait_seconds", 5, in: 1...600, "a number of seconds")

        let synchronousText = text("database.sqlite_synchronous") ?? "full"
        if let synchronous = SQLiteBackend.Synchronous(rawValue: synchronousText.lowercased()) {
            sqliteSynchronous = synchronous
        } else {
            problem("database.sqlite_synchronous", "'\(synchronousText)' is not full or normal")
            sqliteSynchronous = .full
        }

        let levelText = text("log.level") ?? "info"
        if let level = Logger.Level(rawValue: levelText.lowercased()) {
            logLevel = level
        } else {
            problem("log.level", "'\(levelText)' is not one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            logLevel = .info
        }

        let formatText = text("log.format") ?? "text"
        if let format = LogFormat(rawValue: formatText.lowercased()) {
            logFormat = format
        } else {
            problem("log.format", "'\(formatText)' is not text or json")
            logFormat = .text
        }

        func positive(_ key: String, _ fallback: Int?) -> Int? {
            guard let value = text(key), value.lowercased() != "off" else { return fallback }
            guard let number = Int(value), number > 0 else {
                problem(key, "'\(value)' is not a positive whole number (or off)")
                return fallback
            }
            return number
        }
        ingest = IngestSettings(
            maxEnvelopeBytes: (positive("ingest.max_envelope_mb", 20) ?? 20) << 20,
            maxAttachmentBytes: (positive("ingest.max_attachment_mb", 20) ?? 20) << 20,
            defaultKeyRateLimit: positive("ingest.key_rate_limit", nil),
            defaultOrganizationRateLimit: positive("ingest.org_rate_limit", nil)
        )

        monitorConcurrency = positive("monitors.concurrency", 512) ?? 512
        if monitorConcurrency > 10_000 { problem("monitors.concurrency", "'\(monitorConcurrency)' is above 10000") }
        monitorResultRetentionDays = positive("monitors.result_retention_days", 7) ?? 7
        if monitorResultRetentionDays > 400 { problem("monitors.result_retention_days", "'\(monitorResultRetentionDays)' is above 400") }
        pagerDutyURL = text("alerting.pagerduty_url") ?? "https://events.pagerduty.com/v2/enqueue"
        if URLComponents(string: pagerDutyURL).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host?.isEmpty == false }) != true {
            problem("alerting.pagerduty_url", "'\(pagerDutyURL)' is not an http(s) URL")
        }

        alertHistoryDays = positive("alerting.history_days", 90) ?? 90
        if alertHistoryDays > 3_650 { problem("alerting.history_days", "'\(alertHistoryDays)' is above 3650") }
        runbookRetryDelayMilliseconds = positive("runbooks.retry_delay_ms", 1_000) ?? 1_000
        if runbookRetryDelayMilliseconds > 60_000 { problem("runbooks.retry_delay_ms", "'\(runbookRetryDelayMilliseconds)' is above 60000") }
        let backupHours = whole("backup.interval_hours", 0, in: 0...8_760, "a number of hours")
        let backupKeep = whole("backup.keep", 7, in: 1...10_000, "a number of backups")
        let compressText = (text("backup.compress") ?? "true").lowercased()
        if !["true", "false"].contains(compressText) { problem("backup.compress", "'\(compressText)' is not true or false") }
        backups = backupHours == 0 ? nil : BackupPlan(interval: TimeInterval(backupHours) * 3_600, keep: backupKeep, compress: compressText != "false")
        backupFolder = text("backup.folder") ?? (dataDirectory as NSString).appendingPathComponent("backups")
        auditRetentionDays = whole("audit.retention_days", 365, in: 1...36_500, "a number of days")
        secretsKey = nil
        if let keyText = text("secrets.key", secret: true) {
            do { secretsKey = try SecretsKey(base64: keyText) } catch { problem("secrets.key", "\(error)") }
        }
        if backups != nil, case .postgres = database {
            problem("backup.interval_hours", "scheduled backups are for the SQLite database; back PostgreSQL up with pg_dump")
        }

        switch (text("smtp.url", secret: true), text("smtp.from")) {
        case (nil, nil): smtp = nil
        case (.some(let url), .some(let from)):
            do {
                smtp = try SMTPSettings.parse(url: url, from: from)
            } catch let error as ValidationError {
                smtp = nil
                problem(error.field, error.reason)
            } catch {
                smtp = nil
                problem("smtp.url", "\(error)")
            }
        case (.some, nil):
            smtp = nil
            problem("smtp.from", "is needed with smtp.url (the sender of alert emails)")
        case (nil, .some):
            smtp = nil
            problem("smtp.url", "is needed with smtp.from (the mail server)")
        }

        detectorIntervalSeconds = positive("analysis.detector_interval_seconds", 60) ?? 60
        if detectorIntervalSeconds > 3_600 { problem("analysis.detector_interval_seconds", "'\(detectorIntervalSeconds)' is above 3600") }
        rollupIntervalSeconds = positive("performance.rollup_interval_seconds", 30) ?? 30
        if rollupIntervalSeconds > 3_600 { problem("performance.rollup_interval_seconds", "'\(rollupIntervalSeconds)' is above 3600") }
        forwardingMaxDelaySeconds = whole("forwarding.max_delay_seconds", 30, in: 0...3_600, "a number of seconds")
        revenueCheckIntervalSeconds = positive("business.revenue_check_interval_seconds", 60) ?? 60
        if revenueCheckIntervalSeconds > 3_600 { problem("business.revenue_check_interval_seconds", "'\(revenueCheckIntervalSeconds)' is above 3600") }
        let llmAPIText = text("analysis.llm_api") ?? "openai"
        let llmAPI = LLMSettings.API(rawValue: llmAPIText.lowercased())
        if llmAPI == nil { problem("analysis.llm_api", "'\(llmAPIText)' is not openai or anthropic") }
        let llmTimeout = positive("analysis.llm_timeout_seconds", 30) ?? 30
        switch (text("analysis.llm_url"), text("analysis.llm_model")) {
        case (nil, nil): llm = nil
        case (.some(let url), .some(let model)):
            if URLComponents(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host?.isEmpty == false }) != true {
                problem("analysis.llm_url", "'\(url)' is not an http(s) URL")
            }
            llm = LLMSettings(api: llmAPI ?? .openai, baseURL: url, model: model, key: text("analysis.llm_key", secret: true), timeoutSeconds: llmTimeout)
        case (.some, nil):
            llm = nil
            problem("analysis.llm_model", "is needed with analysis.llm_url (the model to ask)")
        case (nil, .some):
            llm = nil
            problem("analysis.llm_url", "is needed with analysis.llm_model (where the model is)")
        }

        adminEmail = (text("admin.email") ?? "admin@telltale.local").lowercased()
        if !adminEmail.contains("@") { problem("admin.email", "'\(adminEmail)' is not an email address") }
        adminPassword = text("admin.password", secret: true)
        if let password = adminPassword, password.utf8.count < 8 || password.utf8.count > 72 {
            problem("admin.password", "must be 8 to 72 bytes long")
        }

        if !problems.isEmpty { throw ConfigurationErrors(problems: problems) }
    }

    /// Why the data directory cannot be used, or `nil` when it can (existing and writable,
    /// or creatable under a writable parent).
    static func dataDirectoryProblem(_ path: String) -> String? {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return "'\(path)' exists and is not a directory" }
            guard files.isWritableFile(atPath: path), files.isReadableFile(atPath: path) else {
                return "'\(path)' is not readable and writable by this user"
            }
            return nil
        }
        var parent = (path as NSString).deletingLastPathComponent
        if parent.isEmpty { parent = "." }
        while !files.fileExists(atPath: parent) {
            let next = (parent as NSString).deletingLastPathComponent
            if next.isEmpty || next == parent { break }
            parent = next
        }
        var parentIsDirectory: ObjCBool = false
        guard files.fileExists(atPath: parent, isDirectory: &parentIsDirectory), parentIsDirectory.boolValue else {
            return "'\(path)' cannot be created: '\(parent)' is not a directory"
        }
        guard files.isWritableFile(atPath: parent) else {
            return "'\(path)' does not exist and cannot be created ('\(parent)' is not writable)"
        }
        return nil
    }

    /// Builds the reader the server uses: environment variables over the optional JSON file.
    public static func reader(configFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> ConfigReader {
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .specific(["TELLTALE_DATABASE_URL", "TELLTALE_ADMIN_PASSWORD"])
        ).prefixKeys(with: "telltale")
        guard let configFile else { return ConfigReader(provider: environmentProvider) }
        let fileProvider = try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile))
        return ConfigReader(providers: [environmentProvider, fileProvider])
    }
}

/// One invalid setting.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Dotted key.
    public var key: String
    /// Environment variable for the key.
    public var environmentVariable: String
    /// What is wrong.
    public var message: String

    public var description: String { "\(environmentVariable) (\(key)): \(message)" }
}

/// Every invalid setting found in one read.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    /// The problems, in settings order.
    public var problems: [ConfigurationProblem]

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}
