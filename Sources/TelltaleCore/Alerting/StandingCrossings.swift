/// The thresholds that stand crossed, by key, so a crossing is reported once and again only
/// after it came back under. The performance and revenue watchers keep one per pass.
public struct StandingCrossings: Sendable, Hashable {
    public private(set) var keys: Set<String>

    public init(_ keys: Set<String> = []) {
        self.keys = keys
    }

    /// The items of this pass that did not stand at the previous one; remembers this pass's.
    public mutating func fresh<Item>(_ current: [Item], key: (Item) -> String) -> [Item] {
        let fresh = current.filter { !keys.contains(key($0)) }
        keys = Set(current.map(key))
        return fresh
    }
}
