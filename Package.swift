// swift-tools-version:6.2
import Foundation
import PackageDescription

/// Settings every target shares (STYLE.md, "Code" 10).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "telltale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "telltale", targets: ["telltale"]),
        .library(name: "SentryProtocol", targets: ["SentryProtocol"]),
        .library(name: "TelltaleClient", targets: ["TelltaleClient"]),
        .library(name: "TelltaleClientHummingbird", targets: ["TelltaleClientHummingbird"]),
        .executable(name: "telltale-pipeline-bench", targets: ["PipelineBench"]),
        .executable(name: "telltale-performance-bench", targets: ["PerformanceBench"]),
        .executable(name: "telltale-client-bench", targets: ["ClientBench"]),
        .executable(name: "telltale-example-shop", targets: ["ShopExample"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
    ],
    targets: [
        .target(
            name: "SentryProtocol",
            swiftSettings: swiftSettings
        ),
        // The Swift client: depends on the protocol and HTTP client only, never on the server.
        .target(
            name: "TelltaleClient",
            dependencies: [
                "SentryProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // Hummingbird's integration on its own, so apps on other frameworks do not pull it in.
        .target(
            name: "TelltaleClientHummingbird",
            dependencies: [
                "TelltaleClient", "SentryProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // The example app in Examples/Shop: a Hummingbird shop that uses every part of the client.
        .executableTarget(
            name: "ShopExample",
            dependencies: [
                "TelltaleClient", "TelltaleClientHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            path: "Examples/Shop",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ClientBench",
            dependencies: ["TelltaleClient", "SentryProtocol", .product(name: "Tracing", package: "swift-distributed-tracing")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleCore",
            dependencies: [
                "SentryProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CMallocTuning"),
        .systemLibrary(
            name: "CBrotli",
            pkgConfig: "libbrotlidec",
            providers: [.apt(["libbrotli-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(
            name: "TelltaleIngest",
            dependencies: [
                "TelltaleCore",
                "SentryProtocol",
                "CBrotli",
                "CZstd",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sending stored events on to Sentry, Datadog, New Relic and webhooks.
        .target(
            name: "TelltaleForwarding",
            dependencies: [
                "TelltaleCore", "TelltaleAlerting", "TelltaleIngest", "SentryProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleAlerting",
            dependencies: [
                "TelltaleCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleAnalysis",
            dependencies: [
                "TelltaleCore", "TelltaleIngest", "SentryProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltalePerformance",
            dependencies: [
                "TelltaleCore", "TelltaleIngest", "SentryProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleBusiness",
            dependencies: ["TelltaleCore", "TelltalePerformance", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleIncidents",
            dependencies: [
                "TelltaleCore",
                "TelltaleAlerting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleMonitors",
            dependencies: [
                "TelltaleCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleStore",
            dependencies: [
                "TelltaleCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleHTTP",
            dependencies: [
                "TelltaleCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The parsers that read outside bytes as fuzz targets; the tests replay their corpora.
        .target(
            name: "TelltaleFuzzTargets",
            dependencies: [
                "SentryProtocol", "TelltaleCore", "TelltaleHTTP", "TelltaleIngest",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleAPI",
            dependencies: [
                "TelltaleAlerting", "TelltaleForwarding",
                "TelltaleAnalysis", "TelltalePerformance", "TelltaleBusiness",
                "TelltaleIncidents",
                "TelltaleCore",
                "TelltaleMonitors",
                "TelltaleIngest",
                "TelltaleHTTP",
                "SentryProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The OpenAPI document is compiled into the binary: one file to ship.
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleWeb",
            dependencies: [
                "TelltaleAnalysis", "TelltalePerformance", "TelltaleBusiness",
                "TelltaleCore",
                "TelltaleIncidents",
                "TelltaleMonitors",
                "TelltaleHTTP",
                "TelltaleIngest",
                "SentryProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // Templates, CSS and JavaScript are compiled into the binary: one file to ship.
            resources: [
                .embedInCode("Resources/templates/layout.mustache"),
                .embedInCode("Resources/templates/login.mustache"),
                .embedInCode("Resources/templates/audit.mustache"),
                .embedInCode("Resources/templates/issues.mustache"),
                .embedInCode("Resources/templates/issue_rows.mustache"),
                .embedInCode("Resources/templates/issue.mustache"),
                .embedInCode("Resources/templates/event.mustache"),
                .embedInCode("Resources/templates/overview.mustache"),
                .embedInCode("Resources/templates/empty.mustache"),
                .embedInCode("Resources/templates/settings.mustache"),
                .embedInCode("Resources/templates/project.mustache"),
                .embedInCode("Resources/templates/members.mustache"),
                .embedInCode("Resources/templates/account.mustache"),
                .embedInCode("Resources/templates/invitation.mustache"),
                .embedInCode("Resources/templates/issue_events.mustache"),
                .embedInCode("Resources/templates/issue_users.mustache"),
                .embedInCode("Resources/templates/error.mustache"),
                .embedInCode("Resources/templates/status.mustache"),
                .embedInCode("Resources/templates/health.mustache"),
                .embedInCode("Resources/templates/monitor_row.mustache"),
                .embedInCode("Resources/templates/monitor.mustache"),
                .embedInCode("Resources/templates/monitor_form.mustache"),
                .embedInCode("Resources/templates/status_pages.mustache"),
                .embedInCode("Resources/templates/notifications.mustache"),
                .embedInCode("Resources/templates/alerts.mustache"),
                .embedInCode("Resources/templates/incidents.mustache"),
                .embedInCode("Resources/templates/incident_rows.mustache"),
                .embedInCode("Resources/templates/incident_links.mustache"),
                .embedInCode("Resources/templates/classification.mustache"),
                .embedInCode("Resources/templates/related_rows.mustache"),
                .embedInCode("Resources/templates/incident.mustache"),
                .embedInCode("Resources/templates/oncall.mustache"),
                .embedInCode("Resources/templates/perf_nav.mustache"),
                .embedInCode("Resources/templates/performance.mustache"),
                .embedInCode("Resources/templates/transaction.mustache"),
                .embedInCode("Resources/templates/trace.mustache"),
                .embedInCode("Resources/templates/web_vitals.mustache"),
                .embedInCode("Resources/templates/releases.mustache"),
                .embedInCode("Resources/templates/release.mustache"),
                .embedInCode("Resources/templates/business.mustache"),
                .embedInCode("Resources/templates/user_reports.mustache"),
                .embedInCode("Resources/templates/user_report.mustache"),
                .embedInCode("Resources/templates/sla.mustache"),
                .embedInCode("Resources/static/app.css"),
                .embedInCode("Resources/static/app.js"),
                .embedInCode("Resources/static/telltale.js"),
                .embedInCode("Resources/static/telltale-feedback.js"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleApp",
            dependencies: [
                "TelltaleAlerting",
                "TelltaleAnalysis", "TelltalePerformance", "TelltaleBusiness",
                "TelltaleIncidents",
                "TelltaleCore",
                "TelltaleMonitors",
                "TelltaleIngest",
                "TelltaleStore",
                "TelltaleHTTP",
                "TelltaleAPI",
                "TelltaleWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleCLI",
            dependencies: [
                "TelltaleApp",
                "TelltaleIncidents",
                "TelltaleAnalysis", "TelltalePerformance",
                .product(name: "Metrics", package: "swift-metrics"),
                "TelltaleMonitors",
                "TelltaleIngest",
                "CMallocTuning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "TelltaleCore",
                "TelltaleStore",
                "SentryProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "telltale",
            dependencies: ["TelltaleCLI"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PerformanceBench",
            dependencies: ["SentryProtocol", "TelltaleCore", "TelltaleIngest", "TelltaleStore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PipelineBench",
            dependencies: ["SentryProtocol", "TelltaleCore", "TelltaleIngest"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TelltaleTestSupport",
            dependencies: [
                "SentryProtocol",
                "TelltaleCore",
                "TelltaleStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelltaleClientTests",
            dependencies: ["TelltaleClient", "TelltaleClientHummingbird", "SentryProtocol", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Tracing", package: "swift-distributed-tracing")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelltaleCoreTests",
            dependencies: ["TelltaleCore", "SentryProtocol"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelltaleWebTests",
            dependencies: ["TelltaleWeb", "TelltaleHTTP", "TelltaleCore", "SentryProtocol"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelltaleStoreTests",
            dependencies: [
                "SentryProtocol",
                "TelltaleCore",
                "TelltaleStore",
                "TelltaleTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelltaleAppTests",
            dependencies: [
                "TelltaleAlerting",
                "TelltaleApp", "TelltalePerformance", "TelltaleBusiness", "TelltaleClient", "TelltaleForwarding",
                "TelltaleMonitors",
                "TelltaleIngest",
                "TelltaleFuzzTargets",
                "TelltaleCLI",
                "TelltaleCore",
                "TelltaleStore",
                "TelltaleTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer's executable exists only for scripts/fuzz.sh (TELLTALE_FUZZ=1, built with
// -sanitize=fuzzer, which brings its own `main`); other builds would fail to link it.
if ProcessInfo.processInfo.environment["TELLTALE_FUZZ"] == "1" {
    package.products.append(.executable(name: "telltale-fuzz", targets: ["TelltaleFuzz"]))
    package.targets.append(.executableTarget(name: "TelltaleFuzz", dependencies: ["TelltaleFuzzTargets"], swiftSettings: swiftSettings))
}
