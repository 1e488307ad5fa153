import ArgumentParser
import Foundation
import NIOHTTP1
import TelltaleCore

/// `telltale status [--watch] [--interval 5]`: the installation at a glance in the
/// terminal: events per minute with a sparkline, new and regressed issues, monitors by
/// state, open incidents, the ingest queue and latency, the server's memory and CPU. With
/// `--watch` on a terminal it is a full-screen view redrawn in place (every interval, and at
/// once when the server pushes a change), with keys to open an issue, acknowledge an
/// incident or pause a monitor; when output is not a terminal it prints a snapshot every
/// interval instead.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show events, issues, monitors, incidents and the server's health; --watch keeps it live."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Organization slug.") var org = "default"
    @Flag(help: "Keep watching: full screen on a terminal (q quits), repeated snapshots otherwise.") var watch = false
    @Option(help: "Seconds between refreshes with --watch.") var interval: Int = 5

    func validate() throws {
        guard (1...3600).contains(interval) else { throw ValidationError("--interval must be 1 to 3600 seconds") }
    }

    func run() async throws {
        let (org, watch, interval) = (org, watch, interval)
        try await server.withServer(scopes: [.orgRead, .projectRead, .projectWrite, .eventRead, .eventWrite]) { client in
            var fetcher = StatusFetcher(client: client, organization: org)
            do {
                if watch && Terminal.isInteractive {
                    var view = StatusView(client: client, fetcher: fetcher, interval: interval)
                    try await view.run()
                    return
                }
                while true {
                    let snapshot = try await fetcher.snapshot()
                    Console.out(StatusScreen.plain(snapshot))
                    guard watch else { return }
                    Console.out("")
                    try await Task.sleep(for: .seconds(interval))
                }
            } catch let failure as ServerClient.Failure {
                Console.error(failure.description)
                throw ExitCode(1)
            }
        }
    }
}

/// The full-screen loop: redraws after each refresh, key and change pushed by the server.
struct StatusView {
    let client: ServerClient
    var fetcher: StatusFetcher
    let interval: Int
    var selected = 0
    var message: String?

    enum Wake: Sendable {
        case tick, change
        case key(Terminal.Key)
    }

    mutating func run() async throws {
        let terminal = Terminal()
        terminal.enter()
        defer { terminal.leave() }
        let (wakes, wake) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(32))
        let interval = self.interval, client = self.client, org = fetcher.organization
        let keys = Task {
            for await key in Terminal.keys() { wake.yield(.key(key)) }
            wake.finish()
        }
        let ticks = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                wake.yield(.tick)
            }
        }
        let changes = Task { await Self.follow(client, org: org) { wake.yield(.change) } }
        defer {
            keys.cancel()
            ticks.cancel()
            changes.cancel()
        }
        var snapshot = try await fetcher.snapshot()
        var frame = draw(snapshot, terminal)
        for await event in wakes {
            switch event {
            case .tick, .change:
                do {
                    snapshot = try await fetcher.snapshot()
                } catch {
                    message = "refresh failed: \(error)"
                }
            case .key(.character("q")), .key(.character("Q")), .key(.interrupt):
                return
            case .key(.up), .key(.character("k")):
                selected = max(0, selected - 1)
            case .key(.down), .key(.character("j")):
                selected = min(max(0, frame.actions.count - 1), selected + 1)
            case .key(.character("r")):
                snapshot = (try? await fetcher.snapshot()) ?? snapshot
                message = nil
            case .key(let key):
                if frame.actions.indices.contains(selected) {
                    message = await act(key, on: frame.actions[selected])
                    if message?.hasSuffix("acknowledged") == true || message?.hasSuffix("paused") == true {
                        snapshot = (try? await fetcher.snapshot()) ?? snapshot
                    }
                }
            }
            frame = draw(snapshot, terminal)
        }
    }

    func draw(_ snapshot: StatusSnapshot, _ terminal: Terminal) -> StatusScreen.Frame {
        let size = Terminal.size()
        let frame = StatusScreen(width: size.width, height: size.height, color: true).render(snapshot, selected: selected, message: message)
        terminal.draw(frame.lines)
        return frame
    }

    /// What a key does to the selected row; the line to show about it.
    func act(_ key: Terminal.Key, on action: StatusAction) async -> String? {
        do {
            switch (key, action) {
            case (.enter, .issue(let issue)), (.character("o"), .issue(let issue)):
                return "Open: \(issue.url)"
            case (.enter, .incident(let incident)), (.character("o"), .incident(let incident)):
                return "Open: \(client.base)/organizations/\(fetcher.organization)/incidents/\(incident.id)/"
            case (.enter, .monitor(let monitor)), (.character("o"), .monitor(let monitor)):
                return "Open: \(client.base)/organizations/\(fetcher.organization)/monitors/\(monitor.id)/"
            case (.character("a"), .incident(let incident)):
                let reply = try await client.api(.POST, "incidents/\(incident.id)/acknowledge", json: "{}")
                return reply.status == 200 ? "Incident #\(incident.id) acknowledged" : "acknowledging failed (\(reply.status)): \(reply.detail)"
            case (.character("p"), .monitor(let monitor)):
                let reply = try await client.api(.POST, "monitors/\(monitor.id)/pause", json: "{}")
                return reply.status == 200 ? "Monitor \(monitor.name) paused" : "pausing failed (\(reply.status)): \(reply.detail)"
            case (.character("a"), _): return "a acknowledges an incident: select one first"
            case (.character("p"), _): return "p pauses a monitor: select one first"
            default: return message
            }
        } catch {
            return "\(error)"
        }
    }

    /// Calls `changed` for every change the server pushes on the organization's live stream,
    /// reconnecting when the stream ends, until cancelled.
    static func follow(_ client: ServerClient, org: String, changed: @Sendable () -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.stream("/api/0/organizations/\(org)/live/") { chunk in
                    if chunk.contains("event: change") { changed() }
                }
            } catch {}
            try? await Task.sleep(for: .seconds(3))
        }
    }
}
