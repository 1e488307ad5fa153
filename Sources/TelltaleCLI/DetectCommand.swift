import ArgumentParser
import Foundation
import TelltaleAnalysis
import TelltaleCore

/// `telltale detect`: one full pass of the analysis detectors now (the server runs them every
/// `analysis.detector_interval_seconds`), with what it found and how long it took.
struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Run the spike, escalation and pattern detectors once now and print what they found."
    )

    @OptionGroup var options: CommonOptions

    func run() async throws {
        let (report, seconds) = try await options.withAccounts { _, repositories, _ in
            let clock = ContinuousClock()
            let start = clock.now
            let report = try await DetectorPass(repositories: repositories).run(now: Date(), patterns: true)
            let elapsed = clock.now - start
            return (report, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        Console.out("series judged: \(report.seriesJudged), spikes opened: \(report.spikesOpened), extended: \(report.spikesExtended), "
                    + "issues escalated: \(report.escalated), patterns: \(report.patterns)")
        Console.out(String(format: "detector pass took %.3f s", seconds))
    }
}
