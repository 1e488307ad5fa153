import Foundation

/// A ready-to-paste SDK initialisation for a platform, with the environment, release,
/// sampling and PII settings the operator chose (pure: text in, text out).
struct SDKSnippet: Equatable {
    enum Platform: String, CaseIterable, Sendable {
        case python
        case javascript
        case node
        case swift
        case go
        case ruby
        case php

        /// What the setup assistant shows.
        var title: String {
            switch self {
            case .python: "Python (sentry-sdk)"
            case .javascript: "JavaScript in the browser (@sentry/browser)"
            case .node: "Node.js (@sentry/node)"
            case .swift: "Swift on the server (TelltaleClient)"
            case .go: "Go (sentry-go)"
            case .ruby: "Ruby (sentry-ruby)"
            case .php: "PHP (sentry/sentry)"
            }
        }

        /// A file name for the snippet.
        var fileExtension: String {
            switch self {
            case .python: "py"
            case .javascript, .node: "js"
            case .swift: "swift"
            case .go: "go"
            case .ruby: "rb"
            case .php: "php"
            }
        }

        /// The project platform Telltale records.
        var projectPlatform: String {
            switch self {
            case .javascript: "javascript"
            case .node: "node"
            default: rawValue
            }
        }
    }

    /// The settings one environment is recommended: every error, traces sampled down as
    /// traffic grows, personal data only where the data is the developers' own.
    struct Settings: Equatable {
        var sampleRate: Double
        var tracesSampleRate: Double
        var sendDefaultPII: Bool

        static func recommended(for environment: String) -> Settings {
            switch environment.lowercased() {
            case "development", "dev", "local": Settings(sampleRate: 1.0, tracesSampleRate: 1.0, sendDefaultPII: true)
            case "staging", "stage", "test", "qa": Settings(sampleRate: 1.0, tracesSampleRate: 0.1, sendDefaultPII: false)
            default: Settings(sampleRate: 1.0, tracesSampleRate: 0.05, sendDefaultPII: false)
            }
        }
    }

    var platform: Platform
    var dsn: String
    var environment: String
    var release: String
    var settings: Settings

    /// The snippet's text.
    var text: String {
        let (sample, traces, pii) = (Self.number(settings.sampleRate), Self.number(settings.tracesSampleRate), settings.sendDefaultPII)
        let (dsn, environment, release) = (Self.quoted(dsn), Self.quoted(environment), Self.quoted(release))
        switch platform {
        case .python:
            return """
                # pip install sentry-sdk
                import sentry_sdk

                sentry_sdk.init(
                    dsn=\(dsn),
                    environment=\(environment),
                    release=\(release),
                    sample_rate=\(sample),
                    traces_sample_rate=\(traces),
                    send_default_pii=\(pii ? "True" : "False"),
                )

                """
        case .javascript, .node:
            let package = platform == .javascript ? "@sentry/browser" : "@sentry/node"
            return """
                // npm install \(package)
                import * as Sentry from "\(package)";

                Sentry.init({
                  dsn: \(dsn),
                  environment: \(environment),
                  release: \(release),
                  sampleRate: \(sample),
                  tracesSampleRate: \(traces),
                  sendDefaultPii: \(pii),
                });

                """
        case .swift:
            return """
                // Package.swift: .product(name: "TelltaleClient", package: "telltale")
                import TelltaleClient

                let telltale = TelltaleClient(options: try TelltaleOptions(
                    dsn: \(dsn),
                    environment: \(environment),
                    release: \(release),
                    sampleRate: \(sample),
                    tracesSampleRate: \(traces)
                ))
                // Run it with your services (a swift-service-lifecycle Service), or: Task { try await telltale.run() }
                // Personal data: the client scrubs sensitive keys before sending\(pii ? "; set users with Telltale.withScope" : "").

                """
        case .go:
            return """
                // go get github.com/getsentry/sentry-go
                err := sentry.Init(sentry.ClientOptions{
                \tDsn:              \(dsn),
                \tEnvironment:      \(environment),
                \tRelease:          \(release),
                \tSampleRate:       \(sample),
                \tEnableTracing:    \(settings.tracesSampleRate > 0),
                \tTracesSampleRate: \(traces),
                \tSendDefaultPII:   \(pii),
                })
                if err != nil {
                \tlog.Fatalf("sentry.Init: %s", err)
                }
                defer sentry.Flush(2 * time.Second)

                """
        case .ruby:
            return """
                # Gemfile: gem "sentry-ruby"
                Sentry.init do |config|
                  config.dsn = \(dsn)
                  config.environment = \(environment)
                  config.release = \(release)
                  config.sample_rate = \(sample)
                  config.traces_sample_rate = \(traces)
                  config.send_default_pii = \(pii)
                end

                """
        case .php:
            return """
                <?php
                // composer require sentry/sentry
                \\Sentry\\init([
                    'dsn' => \(Self.singleQuoted(self.dsn)),
                    'environment' => \(Self.singleQuoted(self.environment)),
                    'release' => \(Self.singleQuoted(self.release)),
                    'sample_rate' => \(sample),
                    'traces_sample_rate' => \(traces),
                    'send_default_pii' => \(pii),
                ]);

                """
        }
    }

    /// A rate as the SDKs write it: `1.0`, `0.05`.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0"), !text.hasSuffix(".0") { text.removeLast() }
        return text
    }

    /// A double-quoted string literal (valid in Python, JavaScript, Swift, Go and Ruby).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A PHP single-quoted string literal.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
