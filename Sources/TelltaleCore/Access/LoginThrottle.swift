public import Foundation

/// Slows down password guessing: after `maxFailures` failed sign-ins under one key (an
/// account, an address) within `window`, further attempts are refused until the oldest of
/// them has aged out of the window. Pure rule; ``SignInThrottle`` keeps the failures.
public struct LoginThrottle: Sendable {
    public let maxFailures: Int
    public let window: TimeInterval

    public init(maxFailures: Int = 5, window: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// When a key with these failures may try again, or `nil` when it may try now.
    public func retryAfter(failures: [Date], now: Date) -> Date? {
        let recent = failures.filter { now.timeIntervalSince($0) < window }.sorted()
        guard recent.count >= maxFailures, let oldest = recent.suffix(maxFailures).first else { return nil }
        return oldest.addingTimeInterval(window)
    }
}

/// The sign-in throttles of the installation: 5 failures lock an account for 15 minutes; an
/// address gets more room (30), since many people may share it. Failures live in the
/// database, so neither a restart nor another node resets them.
public struct SignInThrottle: Sendable {
    let failures: any LoginFailureRepository
    /// The rule per account.
    public static let perAccount = LoginThrottle(maxFailures: 5)
    /// The rule per client address.
    public static let perAddress = LoginThrottle(maxFailures: 30)

    public init(failures: any LoginFailureRepository) {
        self.failures = failures
    }

    /// When the next attempt for this account from this address is allowed; `nil`: now.
    public func retryAfter(account: String, address: String, now: Date) async throws -> Date? {
        let since = now.addingTimeInterval(-Self.perAccount.window)
        let accountFailures = try await failures.failures(key: Self.accountKey(account), since: since)
        let addressFailures = try await failures.failures(key: Self.addressKey(address), since: now.addingTimeInterval(-Self.perAddress.window))
        return [Self.perAccount.retryAfter(failures: accountFailures, now: now),
                Self.perAddress.retryAfter(failures: addressFailures, now: now)].compactMap { $0 }.max()
    }

    /// Records a failed attempt against both the account and the address.
    public func failed(account: String, address: String, now: Date) async throws {
        try await failures.record(keys: [Self.accountKey(account), Self.addressKey(address)], at: now)
    }

    /// A successful sign-in clears the account's failures (not the address's).
    public func succeeded(account: String) async throws {
        try await failures.clear(key: Self.accountKey(account))
    }

    static func accountKey(_ email: String) -> String { "account:" + email }
    static func addressKey(_ address: String) -> String { "address:" + address }
}
