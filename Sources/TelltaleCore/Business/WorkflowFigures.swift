/// How one workflow did over a window.
public struct WorkflowFigures: Sendable, Hashable {
    public var name: String
    public var weight: Double
    public var target: Double
    /// Operations tried and failed: transactions matched by name or endpoint (a failed
    /// transaction is a failed attempt) and business events.
    public var attempts: Int64 = 0
    public var failures: Int64 = 0
    /// Error events and issues attributed to the workflow (by tag, or by their transaction).
    public var errors: Int64 = 0
    public var issues: Int = 0
    public var revenueAtRisk: Double = 0

    public init(name: String, weight: Double, target: Double) {
        self.name = name
        self.weight = weight
        self.target = target
    }

    public var successes: Int64 { attempts - failures }

    /// In percent; nil without attempts.
    public var successRate: Double? { attempts > 0 ? 100 * Double(successes) / Double(attempts) : nil }

    public var meetsTarget: Bool? { successRate.map { $0 >= target } }
}

/// The weighted compliance score (the seed's "methodology compliance") and revenue at risk.
public enum WorkflowScore {
    /// 100 × Σ wᵢ · min(1, sᵢ / tᵢ) / Σ wᵢ over the workflows with attempts: a workflow at or
    /// above its target counts in full, one below it in proportion. Nil when none had attempts.
    public static func compliance(_ workflows: [WorkflowFigures]) -> Double? {
        var weighted = 0.0, weights = 0.0
        for workflow in workflows {
            guard let rate = workflow.successRate, workflow.target > 0 else { continue }
            weighted += workflow.weight * min(1, rate / workflow.target)
            weights += workflow.weight
        }
        return weights > 0 ? 100 * weighted / weights : nil
    }

    /// An issue's revenue at risk: what its events sent as `revenue_impact`, plus the
    /// workflow's value per failure for each event that sent none.
    public static func revenue(events: Int64, eventsWithRevenue: Int64, revenueSent: Double, valuePerFailure: Double) -> Double {
        revenueSent + Double(max(0, events - eventsWithRevenue)) * valuePerFailure
    }
}
