import ArgumentParser
import Foundation
import TelltaleCore

/// Parses `N` or `off` for per-minute limits.
struct RateLimitArgument: ExpressibleByArgument {
    var value: Int?

    init?(argument: String) {
        if argument.lowercased() == "off" {
            value = nil
        } else if let number = Int(argument), number > 0 {
            value = number
        } else {
            return nil
        }
    }
}

extension ProjectCommand {
    /// `telltale project configure`: sampling, scrubbing, retention and the key rate limit.
    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a project's ingest settings (changes apply within 5 seconds).")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Project slug.") var project: String
        @Option(help: "Share of error events kept, 0 to 1.") var sampleRate: Double?
        @Option(help: "IP addresses: keep, hash or remove.") var ipAddresses: String?
        @Option(help: "Replace user ids by a keyed hash: true or false.") var hashUserIds: Bool?
        @Option(help: "Extra key fragments to filter, comma-separated.") var sensitiveFields: String?
        @Option(help: "Keys never filtered, comma-separated.") var safeFields: String?
        @Option(help: "Mask email addresses and phone numbers in free text: true or false.") var maskPersonalData: Bool?
        @Option(help: "Keep user.email as the SDK sent it: true or false.") var keepUserEmail: Bool?
        @Option(help: "Days events are kept.") var retentionDays: Int?
        @Option(help: "Events per minute for each of the project's keys, or off.") var keyRateLimit: RateLimitArgument?

        func validate() throws {
            if let sampleRate, !(0...1).contains(sampleRate) { throw ValidationError("--sample-rate must be between 0 and 1") }
            if let ipAddresses, ScrubbingPolicy.IPAddressHandling(rawValue: ipAddresses) == nil {
                throw ValidationError("--ip-addresses must be keep, hash or remove")
            }
            if let retentionDays, !(1...3650).contains(retentionDays) { throw ValidationError("--retention-days must be 1 to 3650") }
        }

        func run() async throws {
            let settings = try await options.withAccounts { _, repositories, _ in
                let organization = try await OrgCommand.find(org, repositories)
                guard let slug = try? Slug(project), let found = try await repositories.projects.project(organizationID: organization.id, slug: slug) else {
                    throw DomainError.notFound("project '\(project)'")
                }
                var settings = found.settings
                if let sampleRate { settings.sampleRate = sampleRate }
                if let ipAddresses { settings.scrubbing.ipAddresses = ScrubbingPolicy.IPAddressHandling(rawValue: ipAddresses)! }
                if let hashUserIds { settings.scrubbing.hashUserIDs = hashUserIds }
                if let sensitiveFields { settings.scrubbing.sensitiveFields = Self.list(sensitiveFields) }
                if let safeFields { settings.scrubbing.safeFields = Self.list(safeFields) }
                if let maskPersonalData { settings.scrubbing.personalData = maskPersonalData }
                if let keepUserEmail { settings.scrubbing.keepUserEmail = keepUserEmail }
                if let retentionDays { settings.retentionDays = retentionDays }
                try await repositories.projects.updateSettings(settings, for: found.id)
                if let keyRateLimit {
                    for key in try await repositories.projects.keys(projectID: found.id) {
                        try await repositories.projects.updateKey(id: key.id, isActive: key.isActive, rateLimitPerMinute: keyRateLimit.value)
                    }
                }
                return settings
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.out(String(decoding: try encoder.encode(settings), as: UTF8.self))
        }

        static func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}

extension OrgCommand {
    /// `telltale org configure --rate-limit N|off`
    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an organization's events-per-minute limit.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Organization slug.") var org: String
        @Option(help: "Events per minute across the organization, or off.") var rateLimit: RateLimitArgument

        func run() async throws {
            try await options.withAccounts { _, repositories, _ in
                try await repositories.organizations.setRateLimit(rateLimit.value, for: try await OrgCommand.find(org, repositories).id)
            }
            Console.out("Rate limit of \(org): \(rateLimit.value.map { "\($0) events per minute" } ?? "off").")
        }
    }
}
