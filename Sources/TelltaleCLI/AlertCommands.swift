import ArgumentParser
import Foundation
import TelltaleApp
import TelltaleCore

/// `telltale alert …`: rules, channels, silences and the history, on the database directly.
/// Rules take the API's JSON shape, so one definition serves scripts, the API and the CLI.
struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert", abstract: "Manage alert rules, channels and silences; read the alert history.",
        subcommands: [Rules.self, AddRule.self, DeleteRule.self, Channels.self, AddChannel.self, Silence.self, History.self]
    )

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an organization's alert rules.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"

        func run() async throws {
            let rules = try await options.withAccounts { _, repositories, _ in
                try await repositories.alerts.rules(organizationID: try await OrgCommand.find(org, repositories).id)
            }
            Console.table(["ID", "STATE", "NAME", "CONDITIONS"], rules.map { rule in
                let encoded = (try? JSONEncoder().encode(rule.draft.conditions)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                return [rule.id.description, rule.draft.enabled ? "on" : "off", rule.draft.name, encoded]
            })
        }
    }

    struct AddRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-rule",
                                                        abstract: "Create a rule from its JSON (as POST /api/0/organizations/{org}/alert-rules/ takes it).")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "The rule as JSON, or @file to read it from a file.") var json: String

        func run() async throws {
            let text = json.hasPrefix("@") ? try String(contentsOfFile: String(json.dropFirst()), encoding: .utf8) : json
            let draft: AlertRuleDraft
            do {
                draft = try JSONDecoder().decode(AlertRuleDraft.self, from: Data(text.utf8))
            } catch let error as TelltaleCore.ValidationError {
                throw ValidationError(error.description)
            } catch {
                throw ValidationError("the rule is not valid JSON: \(error)")
            }
            let rule = try await options.withAccounts { _, repositories, _ in
                let organization = try await OrgCommand.find(org, repositories)
                let channels = Set(try await repositories.alerts.channels(organizationID: organization.id).map(\.id))
                guard draft.actions.flatMap(\.channels).allSatisfy(channels.contains) else {
                    throw ValidationError("actions name a channel that is not in \(org)")
                }
                return try await repositories.alerts.createRule(organizationID: organization.id, draft, now: Date())
            }
            Console.out("Created alert rule \(rule.id) '\(rule.draft.name)'.")
        }
    }

    struct DeleteRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete-rule", abstract: "Delete an alert rule.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Rule id.") var id: Int64

        func run() async throws {
            let deleted = try await options.withAccounts { _, repositories, _ in try await repositories.alerts.deleteRule(AlertRuleID(id)) }
            guard deleted else { throw DomainErrorExit.notFound(id) }
            Console.out("Deleted alert rule \(id).")
        }
    }

    struct Channels: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List channels (secrets shortened to a hint).")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"

        func run() async throws {
            let channels = try await options.withAccounts { _, repositories, _ in
                try await repositories.alerts.channels(organizationID: try await OrgCommand.find(org, repositories).id)
            }
            Console.table(["ID", "TYPE", "NAME", "SENDS TO"], channels.map { channel in
                [channel.id.description, channel.config.type.rawValue, channel.name,
                 channel.config.redactedConfig.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: " · ")]
            })
        }
    }

    struct AddChannel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-channel", abstract: "Create a channel: email, slack, teams, discord, webhook or pagerduty.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "email, slack, teams, discord, webhook or pagerduty.") var type: String
        @Option(help: "Name.") var name: String
        @Option(help: "Email: an address (repeatable).") var to: [String] = []
        @Option(help: "Slack, Teams, Discord, webhook: the URL (a secret).") var url: String?
        @Option(help: "Webhook: the signing secret.") var secret: String?
        @Option(help: "PagerDuty: the Events API v2 routing key.") var routingKey: String?

        func run() async throws {
            guard let channelType = ChannelType(rawValue: type) else {
                throw ValidationError("--type must be one of \(ChannelType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let channel = try await options.withAccounts { _, repositories, configuration in
                if channelType == .email, configuration.smtp == nil {
                    throw ValidationError("email channels need smtp.url and smtp.from (TELLTALE_SMTP_URL, TELLTALE_SMTP_FROM)")
                }
                let config: ChannelConfig
                do {
                    config = try ChannelConfig.make(type: channelType, to: to, url: url, secret: secret, headers: nil, template: nil, routingKey: routingKey)
                } catch let error as TelltaleCore.ValidationError {
                    throw ValidationError(error.description)
                }
                let organization = try await OrgCommand.find(org, repositories)
                return try await repositories.alerts.createChannel(organizationID: organization.id, name: name, config: config, now: Date())
            }
            Console.out("Created \(channel.config.type.rawValue) channel \(channel.id) '\(channel.name)'.")
        }
    }

    struct Silence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Silence alerts matching labels for a while, e.g. --match environment=staging --hours 2.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "A label=value (or label!=value) to match, repeatable: project, environment, monitor, component, rule, severity, level, issue, tag:<key>.")
        var match: [String]
        @Option(help: "How long, in hours.") var hours: Double = 2
        @Option(help: "Why.") var comment: String = ""

        func run() async throws {
            let matchers: [TelltaleCore.Silence.Matcher]
            do {
                matchers = try match.map { text in
                    let negated = text.contains("!=")
                    let parts = text.components(separatedBy: negated ? "!=" : "=")
                    guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--match takes label=value, got '\(text)'") }
                    return try TelltaleCore.Silence.Matcher(key: parts[0], value: parts[1], negated: negated)
                }
            } catch let error as TelltaleCore.ValidationError {
                throw ValidationError(error.description)
            }
            guard !matchers.isEmpty, hours > 0, hours <= 24 * 90 else { throw ValidationError("give --match, and --hours from 0 to 2160") }
            let silence = try await options.withAccounts { _, repositories, _ in
                let organization = try await OrgCommand.find(org, repositories)
                let now = Date()
                return try await repositories.alerts.createSilence(organizationID: organization.id, matchers: matchers, startsAt: now,
                                                                   endsAt: now.addingTimeInterval(hours * 3_600), createdBy: nil, comment: comment, now: now)
            }
            Console.out("Created silence \(silence.id) until \(silence.endsAt.formatted(.iso8601)).")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest alerts: what fired and what became of it.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String = "default"
        @Option(help: "How many.") var limit: Int = 50

        func run() async throws {
            let alerts = try await options.withAccounts { _, repositories, _ in
                try await repositories.alerts.alerts(organizationID: try await OrgCommand.find(org, repositories).id, limit: min(500, max(1, limit)))
            }
            Console.table(["WHEN", "RULE", "STATUS", "SEVERITY", "TITLE"], alerts.map { alert in
                [alert.createdAt.formatted(.iso8601), alert.ruleID.description, alert.status.rawValue, alert.firing.severity.rawValue, String(alert.firing.title.prefix(80))]
            })
        }
    }
}
