import Foundation
import Logging
import TelltaleAnalysis
import TelltaleStore
import TelltaleIngest
import TelltaleAlerting

extension AppConfiguration {
    /// The effective configuration as `telltale check` prints it, secrets masked.
    public var report: [(variable: String, value: String)] {
        let databaseText: String
        switch database {
        case .sqlite(let path): databaseText = maskedDatabaseURL ?? "sqlite:\(path) (default)"
        case .postgres: databaseText = maskedDatabaseURL ?? "postgres"
        }
        return [
            ("TELLTALE_HTTP_HOST", host),
            ("TELLTALE_HTTP_PORT", String(port)),
            ("TELLTALE_HTTP_PUBLIC_URL", publicURL),
            ("TELLTALE_DATA_DIR", dataDirectory),
            ("TELLTALE_DATABASE_URL", databaseText),
            ("TELLTALE_DATABASE_SQLITE_SYNCHRONOUS", sqliteSynchronous.rawValue),
            ("TELLTALE_LOG_LEVEL", logLevel.rawValue),
            ("TELLTALE_LOG_FORMAT", logFormat.rawValue),
            ("TELLTALE_INGEST_MAX_ENVELOPE_MB", String(ingest.maxEnvelopeBytes >> 20)),
            ("TELLTALE_INGEST_MAX_ATTACHMENT_MB", String(ingest.maxAttachmentBytes >> 20)),
            ("TELLTALE_INGEST_KEY_RATE_LIMIT", ingest.defaultKeyRateLimit.map(String.init) ?? "off"),
            ("TELLTALE_INGEST_ORG_RATE_LIMIT", ingest.defaultOrganizationRateLimit.map(String.init) ?? "off"),
            ("TELLTALE_ALERTING_PAGERDUTY_URL", pagerDutyURL),
            ("TELLTALE_ALERTING_HISTORY_DAYS", String(alertHistoryDays)),
            ("TELLTALE_ANALYSIS_DETECTOR_INTERVAL_SECONDS", String(detectorIntervalSeconds)),
            ("TELLTALE_PERFORMANCE_ROLLUP_INTERVAL_SECONDS", String(rollupIntervalSeconds)),
            ("TELLTALE_BUSINESS_REVENUE_CHECK_INTERVAL_SECONDS", String(revenueCheckIntervalSeconds)),
            ("TELLTALE_ANALYSIS_LLM_URL", llm.map { "\($0.baseURL) (\($0.api.rawValue), model \($0.model)\($0.key == nil ? "" : ", key ****"))" } ?? "(not set: offline analysis only)"),
            ("TELLTALE_SMTP_URL", smtp.map { "\($0.security == .tls ? "smtps" : "smtp")://\($0.username.map { "\($0):****@" } ?? "")\($0.host):\($0.port)\($0.security == .startTLS ? "?starttls=true" : "")" } ?? "(not set: email channels off)"),
            ("TELLTALE_SMTP_FROM", smtp?.from ?? "(not set)"),
            ("TELLTALE_ADMIN_EMAIL", adminEmail),
            ("TELLTALE_ADMIN_PASSWORD", adminPassword == nil ? "(not set: generated on first start)" : "****"),
        ]
    }
}
