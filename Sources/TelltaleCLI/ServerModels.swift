/// The parts of the server's answers the operator commands read (field names as the API
/// writes them).
enum ServerModel {
    struct Slugged: Decodable {
        var slug: String
    }

    struct Identified: Decodable {
        var id: String
    }

    struct ClientKey: Decodable {
        struct DSNs: Decodable { var `public`: String }
        var `public`: String
        var isActive: Bool
        var dsn: DSNs
    }

    struct Monitor: Decodable {
        var id: String
        var name: String
        var status: String
    }

    /// `/readyz`.
    struct Readiness: Decodable {
        var database: Bool
        var migrations: Bool
        var ingest_queue_depth: Int?
        var scheduler_lag_seconds: Double?
        var live_updates: Bool?
        var detail: String?
    }

    /// `POST …/test-event/`.
    struct TestEventAnswer: Decodable {
        var event_id: String
        var issue_id: String
        var issue_url: String
    }

    struct IssueState: Decodable {
        var status: String
    }
}
