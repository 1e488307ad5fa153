import TelltaleCLI

await TelltaleCommand.runFromCommandLine()
