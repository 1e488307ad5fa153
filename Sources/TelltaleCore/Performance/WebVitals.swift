import Foundation

/// Core Web Vitals with Google's good / poor thresholds (rated on p75) and the performance
/// score Sentry and Lighthouse use: each vital's p75 scored on a log-normal curve through
/// its good threshold (score 0.9) and its poor threshold (score 0.5), weighted.
public enum WebVital: String, Sendable, CaseIterable, Codable {
    case lcp, inp, cls, fcp, ttfb, fid

    /// At or below: good.
    public var good: Double {
        switch self {
        case .lcp: 2500
        case .inp: 200
        case .cls: 0.1
        case .fcp: 1800
        case .ttfb: 800
        case .fid: 100
        }
    }

    /// Above: poor.
    public var poor: Double {
        switch self {
        case .lcp: 4000
        case .inp: 500
        case .cls: 0.25
        case .fcp: 3000
        case .ttfb: 1800
        case .fid: 300
        }
    }

    /// Milliseconds, except CLS (unitless).
    public var unit: String { self == .cls ? "" : "millisecond" }

    /// The weight in the performance score (FID only counts where INP is absent, as in older browsers).
    public var weight: Double {
        switch self {
        case .lcp: 0.30
        case .inp, .fid: 0.30
        case .cls: 0.15
        case .fcp: 0.15
        case .ttfb: 0.10
        }
    }

    public func rating(_ value: Double) -> Rating {
        if value <= good { return .good }
        return value <= poor ? .needsImprovement : .poor
    }

    /// 0…1: 0.9 at the good threshold, 0.5 at the poor one.
    public func score(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        // Log-normal with median at `poor` and the 10th percentile at `good` (Lighthouse's curve).
        let mu = log(poor)
        let sigma = (log(poor) - log(good)) / 1.2815515655446004
        let z = (log(value) - mu) / (sigma * 2.0.squareRoot())
        return Swift.min(1, Swift.max(0, 0.5 * erfc(z)))
    }

    public enum Rating: String, Sendable, Codable {
        case good
        case needsImprovement = "needs-improvement"
        case poor
    }

    /// The weighted score of the vitals present (weights renormalized over them); nil without any.
    public static func performanceScore(p75: [WebVital: Double]) -> Double? {
        var vitals = p75
        if vitals[.inp] != nil { vitals[.fid] = nil }
        guard !vitals.isEmpty else { return nil }
        let total = vitals.keys.reduce(0) { $0 + $1.weight }
        return vitals.reduce(0) { $0 + $1.key.weight * $1.key.score($1.value) } / total
    }
}
