import Configuration
import Foundation
import PostgresNIO
import Testing
import TelltaleApp
import TelltaleCore
import TelltaleStore

@Suite("Configuration")
struct ConfigurationTests {
    private func reader(_ values: [String: String]) -> ConfigReader {
        var map: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in values { map[AbsoluteConfigKey(ConfigKey(key).components)] = .init(.string(value), isSecret: false) }
        return ConfigReader(provider: InMemoryProvider(values: map))
    }

    @Test("defaults: SQLite under ./telltale-data on 127.0.0.1:8600")
    func defaults() throws {
        let configuration = try AppConfiguration(reader: reader([:]))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8600)
        #expect(configuration.publicURL == "http://127.0.0.1:8600")
        guard case .sqlite(let path) = configuration.database else { Issue.record("expected SQLite"); return }
        #expect(path == "./telltale-data/telltale.db")
    }

    @Test("scheduled backups: off unless an interval is set, into the data directory, refused for PostgreSQL")
    func backups() throws {
        #expect(try AppConfiguration(reader: reader([:])).backups == nil)
        let on = try AppConfiguration(reader: reader(["backup.interval_hours": "6", "backup.keep": "3", "backup.compress": "false"]))
        #expect(on.backups == BackupPlan(interval: 6 * 3_600, keep: 3, compress: false))
        #expect(on.backupFolder == "./telltale-data/backups")
        let error = #expect(throws: ConfigurationErrors.self) {
            try AppConfiguration(reader: reader(["backup.interval_hours": "6", "backup.compress": "maybe", "database.url": "postgres://u@db/telltale"]))
        }
        #expect(Set(try #require(error).problems.map(\.key)) == ["backup.interval_hours", "backup.compress"])
    }

    @Test("every bad value is explained at once")
    func problems() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-file-\(UUID())").path
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        let error = #expect(throws: ConfigurationErrors.self) {
            try AppConfiguration(reader: reader([
                "http.port": "99999",
                "database.url": "mysql://root:hunter2@db/telltale",
                "data.dir": file + "/data",
                "log.level": "loud",
            ]))
        }
        let problems = try #require(error).problems
        #expect(problems.map(\.environmentVariable) == ["TELLTALE_HTTP_PORT", "TELLTALE_DATA_DIR", "TELLTALE_DATABASE_URL", "TELLTALE_LOG_LEVEL"])
        #expect(problems[0].message == "'99999' is not a port number (1–65535)")
        #expect(problems[2].message.contains("expected postgres://"))
        // The password in a bad URL is never echoed.
        #expect(!problems[2].message.contains("hunter2"))
    }

    @Test("a data path that is a file is refused")
    func dataDirectoryIsFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-file-\(UUID())").path
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        let error = #expect(throws: ConfigurationErrors.self) { try AppConfiguration(reader: reader(["data.dir": file])) }
        #expect(error?.problems.first?.message.contains("is not a directory") == true)
    }

    @Test("PostgreSQL URL switches the database and is masked in reports")
    func postgres() throws {
        let configuration = try AppConfiguration(reader: reader(["database.url": "postgres://tt:s3cret@db.internal:5433/telltale?sslmode=disable"]))
        guard case .postgres(let pg) = configuration.database else { Issue.record("expected PostgreSQL"); return }
        #expect(pg.host == "db.internal")
        #expect(pg.port == 5433)
        #expect(pg.database == "telltale")
        let printed = configuration.report.map(\.value).joined(separator: " ")
        #expect(!printed.contains("s3cret"))
        #expect(printed.contains("postgres://tt:****@db.internal:5433/telltale"))
    }

    @Test("environment variables override the JSON file")
    func environmentOverFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-\(UUID()).json").path
        try Data(#"{"http": {"port": 9100, "host": "0.0.0.0"}, "log": {"format": "json"}}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let reader = try await AppConfiguration.reader(configFile: file, environment: ["TELLTALE_HTTP_PORT": "9200"])
        let configuration = try AppConfiguration(reader: reader)
        #expect(configuration.port == 9200)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.logFormat == .json)
        #expect(configuration.publicURL == "http://127.0.0.1:9200")
    }
}
