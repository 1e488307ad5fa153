public import Foundation

/// A signed-in browser. The cookie holds a random secret; only its digest is stored, so a
/// copy of the database cannot be used to sign in.
public struct WebSession: Sendable, Hashable {
    /// Digest of the cookie's secret.
    public var digest: String
    /// Who signed in.
    public var userID: UserID
    /// Sent back with every form and state-changing request (CSRF protection).
    public var csrfToken: String
    /// When it was created.
    public var createdAt: Date
    /// After this the cookie no longer signs anyone in.
    public var expiresAt: Date

    public init(digest: String, userID: UserID, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.digest = digest
        self.userID = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// How long a sign-in lasts.
    public static let lifetime: TimeInterval = 14 * 86_400
}
