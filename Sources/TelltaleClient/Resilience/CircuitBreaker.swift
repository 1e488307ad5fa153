public import Foundation

/// Runs calls through a `CircuitBreakerState`: refuses them while open, lets one try when
/// half-open, adds a breadcrumb for each change, and reports opening (an error) and closing
/// again (an info message) to Telltale with one fingerprint per breaker, so they show as one
/// issue that says when the dependency failed and when it came back.
public actor CircuitBreaker {
    public let name: String
    public private(set) var state: CircuitBreakerState
    let client: TelltaleClient?
    let now: @Sendable () -> Date

    /// What a refused call throws.
    public struct OpenError: Error, Sendable, CustomStringConvertible {
        public var name: String
        public var description: String { "circuit breaker '\(name)' is open" }
    }

    public init(name: String, failureThreshold: Int = 5, resetTimeout: TimeInterval = 30, client: TelltaleClient? = nil,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.name = name
        state = CircuitBreakerState(failureThreshold: failureThreshold, resetTimeout: resetTimeout)
        self.client = client
        self.now = now
    }

    /// Runs `operation` if the breaker lets it, recording how it went.
    public func run<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        let (allowed, transition) = state.allow(now: now())
        if let transition { report(transition, error: nil) }
        guard allowed else { throw OpenError(name: name) }
        do {
            let value = try await operation()
            if let transition = state.recordSuccess() { report(transition, error: nil) }
            return value
        } catch {
            if let transition = state.recordFailure(now: now()) { report(transition, error: error) }
            throw error
        }
    }

    var fingerprint: [String] { ["circuit-breaker", name] }

    func report(_ transition: CircuitBreakerState.Transition, error: (any Error)?) {
        switch transition {
        case .opened(let failures):
            Telltale.addBreadcrumb(Breadcrumb("circuit breaker \(name) opened after \(failures) failures", category: "circuit_breaker", level: .error))
            client?.capture(message: "Circuit breaker \(name) opened after \(failures) failures\(error.map { ": \($0)" } ?? "")", level: .error,
                            [.fingerprint(fingerprint), .tag("circuit_breaker", name), .tag("circuit_state", "open"), .category(.external)])
        case .halfOpened:
            Telltale.addBreadcrumb(Breadcrumb("circuit breaker \(name) half-open: trying one call", category: "circuit_breaker", level: .warning))
        case .closed:
            Telltale.addBreadcrumb(Breadcrumb("circuit breaker \(name) closed", category: "circuit_breaker"))
            client?.capture(message: "Circuit breaker \(name) closed again", level: .info,
                            [.fingerprint(fingerprint), .tag("circuit_breaker", name), .tag("circuit_state", "closed"), .tag("resolves_issue", "true")])
        }
    }
}

/// Runs `operation` until it succeeds or `policy` gives up, waiting with backoff and jitter
/// between attempts and leaving a breadcrumb for each retry; rethrows the last error.
public func retry<T: Sendable>(policy: RetryPolicy = RetryPolicy(), name: String = "operation",
                               random: @Sendable () -> Double = { Double.random(in: 0..<1) },
                               sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                               _ operation: @Sendable () async throws -> T) async throws -> T {
    var attempt = 1
    while true {
        do {
            return try await operation()
        } catch {
            guard attempt < policy.maxAttempts else { throw error }
            let delay = policy.delay(afterAttempt: attempt, random: random())
            Telltale.addBreadcrumb(Breadcrumb("\(name) failed (attempt \(attempt) of \(policy.maxAttempts)), retrying in \(delay): \(error)",
                                              category: "retry", level: .warning))
            try await sleep(delay)
            attempt += 1
        }
    }
}
