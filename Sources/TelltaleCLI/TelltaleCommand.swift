public import ArgumentParser

/// `telltale`: the server and its administration commands.
public struct TelltaleCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "telltale",
        abstract: "Self-hosted error monitoring that speaks the Sentry protocol.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, CheckCommand.self,
            UserCommand.self, OrgCommand.self, ProjectCommand.self, TokenCommand.self, MonitorCommand.self, AlertCommand.self, IncidentCommand.self, PurgeCommand.self, DetectCommand.self,
            SetupCommand.self, SendTestEventCommand.self, SelftestCommand.self, StatusCommand.self, BackupCommand.self, RestoreCommand.self, SecretsCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    public init() {}
}

extension TelltaleCommand {
    /// Parses the process arguments and runs the chosen command; the executable's whole body.
    public static func runFromCommandLine() async {
        await main()
    }
}
