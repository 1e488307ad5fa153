/// Per-project ingest settings.
public struct ProjectSettings: Sendable, Hashable, Codable {
    /// Share of error events kept, 0…1 (1 keeps all).
    public var sampleRate: Double
    /// Personal-data handling.
    public var scrubbing: ScrubbingPolicy
    /// Days events are kept.
    public var retentionDays: Int
    /// Apdex thresholds, performance problems and regressions.
    public var performance: PerformanceSettings

    /// The defaults: keep everything for 30 days, Sentry's scrubbing defaults.
    public init(sampleRate: Double = 1, scrubbing: ScrubbingPolicy = ScrubbingPolicy(), retentionDays: Int = 30,
                performance: PerformanceSettings = PerformanceSettings()) {
        self.sampleRate = sampleRate
        self.scrubbing = scrubbing
        self.retentionDays = retentionDays
        self.performance = performance
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sampleRate = try container.decodeIfPresent(Double.self, forKey: .sampleRate) ?? 1
        scrubbing = try container.decodeIfPresent(ScrubbingPolicy.self, forKey: .scrubbing) ?? ScrubbingPolicy()
        retentionDays = try container.decodeIfPresent(Int.self, forKey: .retentionDays) ?? 30
        performance = try container.decodeIfPresent(PerformanceSettings.self, forKey: .performance) ?? PerformanceSettings()
    }
}
