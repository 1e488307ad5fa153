/// How an event was grouped: the hashes to look issues up by (app variant first), the
/// values that went into them ("why grouped"), and the algorithm version.
public struct GroupingResult: Sendable, Hashable {
    /// The version of the algorithm; stored so a later change does not split issues.
    public static let currentVersion = "telltale:v1"

    /// Hashes in lookup order, de-duplicated; the first is the primary one.
    public var hashes: [String]
    /// Which strategy decided (`fingerprint`, `exception`, `threads`, `stacktrace`, `message`, `fallback`).
    public var strategy: String
    /// The contributing values of the primary hash, in order.
    public var components: [String]
    /// The algorithm version.
    public var version: String

    /// The primary hash.
    public var primaryHash: String { hashes[0] }
}
