public import Foundation
public import SentryProtocol
import Synchronization

/// What an event is captured with besides itself: tags, contexts, user, fingerprint and the
/// breadcrumbs that led there. A value: each task carries its own (`Scope.current`, a task
/// local), so concurrent requests never mix their context.
public struct Scope: Sendable {
    public var tags: [String: String] = [:]
    public var contexts: [String: JSONObject] = [:]
    public var user: User?
    public var fingerprint: [String]?
    public var transaction: String?
    public private(set) var breadcrumbs: BreadcrumbRing

    public init(maxBreadcrumbs: Int = 100) {
        breadcrumbs = BreadcrumbRing(capacity: maxBreadcrumbs)
    }

    public struct User: Sendable, Hashable {
        public var id: String?
        public var email: String?
        public var username: String?
        public var ipAddress: String?

        public init(id: String? = nil, email: String? = nil, username: String? = nil, ipAddress: String? = nil) {
            self.id = id
            self.email = email
            self.username = username
            self.ipAddress = ipAddress
        }
    }

    public mutating func addBreadcrumb(_ crumb: Breadcrumb) { breadcrumbs.append(crumb) }
}

/// The scope a task captures with: a task-local box, so that `Telltale.withScope` gives a
/// request its own copy and breadcrumbs added inside it stay there.
final class ScopeBox: Sendable {
    private let scope: Mutex<Scope>

    init(_ scope: Scope) { self.scope = Mutex(scope) }

    var value: Scope { scope.withLock { $0 } }

    func change(_ body: (inout Scope) -> Void) { scope.withLock { body(&$0) } }

    /// Outside any `withScope`: one scope for the whole process.
    static let global = ScopeBox(Scope())
    @TaskLocal static var current = ScopeBox.global
}

/// Something that happened before an event (a log line, a query, a retry).
public struct Breadcrumb: Sendable, Hashable {
    public var timestamp: Date
    public var category: String?
    public var message: String
    public var level: CaptureOption.Level
    public var data: JSONObject

    public init(_ message: String, category: String? = nil, level: CaptureOption.Level = .info, data: JSONObject = [:], timestamp: Date = Date()) {
        self.message = message
        self.category = category
        self.level = level
        self.data = data
        self.timestamp = timestamp
    }

    var json: JSONValue {
        var object: JSONObject = ["timestamp": .double(timestamp.timeIntervalSince1970), "message": .string(message), "level": .string(level.rawValue)]
        if let category { object["category"] = .string(category) }
        if !data.isEmpty { object["data"] = .object(data) }
        return .object(object)
    }
}

/// The last `capacity` breadcrumbs, oldest first; older ones fall off.
public struct BreadcrumbRing: Sendable {
    public let capacity: Int
    private var storage: [Breadcrumb] = []
    private var start = 0

    public init(capacity: Int) { self.capacity = max(0, capacity) }

    public mutating func append(_ crumb: Breadcrumb) {
        guard capacity > 0 else { return }
        if storage.count < capacity {
            storage.append(crumb)
        } else {
            storage[start] = crumb
            start = (start + 1) % capacity
        }
    }

    public var all: [Breadcrumb] { Array(storage[start...] + storage[..<start]) }
}
