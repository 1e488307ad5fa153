/// An organization's business targets: the currency revenue is counted in, the compliance
/// target, error-rate targets and time-to-resolve targets per severity (the seed's defaults).
public struct BusinessSettings: Sendable, Hashable, Codable {
    public var currency: String
    /// The weighted compliance score the organization aims for, in percent.
    public var complianceTarget: Double
    public var errorRateTargets: ErrorRateTargets
    public var resolveTargetsMinutes: ResolveTargets

    /// Error rates as percentages of requests.
    public struct ErrorRateTargets: Sendable, Hashable, Codable {
        public var overall: Double = 0.1
        public var critical: Double = 0.01
        public var revenueBlocking: Double = 0

        enum CodingKeys: String, CodingKey { case overall, critical, revenueBlocking = "revenue_blocking" }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = ErrorRateTargets()
            overall = try c.decodeIfPresent(Double.self, forKey: .overall) ?? defaults.overall
            critical = try c.decodeIfPresent(Double.self, forKey: .critical) ?? defaults.critical
            revenueBlocking = try c.decodeIfPresent(Double.self, forKey: .revenueBlocking) ?? defaults.revenueBlocking
        }
    }

    /// Mean time to resolve, per issue severity.
    public struct ResolveTargets: Sendable, Hashable, Codable {
        public var critical: Double = 15
        public var high: Double = 60
        public var medium: Double = 240
        public var low: Double = 1440

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = ResolveTargets()
            critical = try c.decodeIfPresent(Double.self, forKey: .critical) ?? defaults.critical
            high = try c.decodeIfPresent(Double.self, forKey: .high) ?? defaults.high
            medium = try c.decodeIfPresent(Double.self, forKey: .medium) ?? defaults.medium
            low = try c.decodeIfPresent(Double.self, forKey: .low) ?? defaults.low
        }

        public func minutes(for severity: IssueSeverity) -> Double? {
            switch severity {
            case .critical: critical
            case .high: high
            case .medium: medium
            case .low: low
            case .info: nil
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case currency
        case complianceTarget = "compliance_target"
        case errorRateTargets = "error_rate_targets"
        case resolveTargetsMinutes = "resolve_targets_minutes"
    }

    public init(currency: String = "USD", complianceTarget: Double = 90, errorRateTargets: ErrorRateTargets = ErrorRateTargets(),
                resolveTargetsMinutes: ResolveTargets = ResolveTargets()) {
        self.currency = currency
        self.complianceTarget = complianceTarget
        self.errorRateTargets = errorRateTargets
        self.resolveTargetsMinutes = resolveTargetsMinutes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)?.uppercased() ?? "USD"
        complianceTarget = try c.decodeIfPresent(Double.self, forKey: .complianceTarget) ?? 90
        errorRateTargets = try c.decodeIfPresent(ErrorRateTargets.self, forKey: .errorRateTargets) ?? ErrorRateTargets()
        resolveTargetsMinutes = try c.decodeIfPresent(ResolveTargets.self, forKey: .resolveTargetsMinutes) ?? ResolveTargets()
        try validate()
    }

    public func validate() throws(ValidationError) {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ValidationError(field: "currency", reason: "must be a three-letter code such as USD or EUR")
        }
        guard complianceTarget > 0, complianceTarget <= 100 else { throw ValidationError(field: "compliance_target", reason: "must be a percentage above 0 and at most 100") }
        for value in [errorRateTargets.overall, errorRateTargets.critical, errorRateTargets.revenueBlocking] where !(0...100).contains(value) {
            throw ValidationError(field: "error_rate_targets", reason: "must be percentages from 0 to 100")
        }
        let resolve = resolveTargetsMinutes
        for value in [resolve.critical, resolve.high, resolve.medium, resolve.low] where !(value > 0 && value <= 525_600) {
            throw ValidationError(field: "resolve_targets_minutes", reason: "must be minutes above 0 and at most a year")
        }
    }
}
