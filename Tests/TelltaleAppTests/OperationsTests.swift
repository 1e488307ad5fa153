import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleTestSupport

@Suite("Operational endpoints")
struct OperationsTests {
    @Test("healthz, readyz and metrics answer", arguments: TestDatabase.allCases)
    func operational(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                }
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#""migrations":true"#))
                }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    #expect(text.contains(#"telltale_http_requests{route="/healthz",method="GET",status="200"} 1"#))
                    #expect(text.contains("telltale_http_request_duration_seconds_bucket"))
                    #expect(text.contains("process_resident_memory_bytes"))
                    #expect(text.contains("telltale_db_connections_in_use"))
                }
            }
        }
    }

    @Test("unknown routes get a JSON 404")
    func unknownRoute() async throws {
        try await TestEnvironment.with(.sqlite) { environment in
            let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                try await client.execute(uri: "/nope", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/json")
                }
            }
        }
    }

    @Test("a second start reuses the data and creates no duplicates", arguments: TestDatabase.allCases)
    func secondStart(database: TestDatabase) async throws {
        try await TestEnvironment.with(database) { environment in
            let reports = ReportCollector()
            for _ in 0..<2 {
                let app = try await buildApplication(reader: environment.reader(), logger: TestDatabase.logger) { _, report in
                    reports.append(report.key?.publicKey ?? "none")
                }
                try await app.test(.router) { client in
                    try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
                }
            }
            let keys = reports.values
            #expect(keys.count == 2)
            #expect(keys[0] == keys[1])
            let counts = try await environment.withAccounts { _, repositories in
                (try await repositories.users.count(), try await repositories.projects.projects(organizationID: nil).count)
            }
            #expect(counts.0 == 1)
            #expect(counts.1 == 1)
        }
    }
}

/// Collects values from `@Sendable` callbacks.
final class ReportCollector: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var values: [String] { storage.withLock { $0 } }
}

import Synchronization
