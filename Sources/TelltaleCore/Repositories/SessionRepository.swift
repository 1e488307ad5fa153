public import Foundation

/// Signed-in browser sessions.
public protocol SessionRepository: Sendable {
    /// Stores a new session.
    func create(_ session: WebSession) async throws
    /// The unexpired session with this digest.
    func session(digest: String, now: Date) async throws -> WebSession?
    /// Signs one session out.
    func delete(digest: String) async throws
    /// Signs a user out everywhere except `keeping` (after a password change).
    func deleteAll(userID: UserID, keeping: String?) async throws
    /// Removes expired sessions; returns how many.
    func purgeExpired(now: Date) async throws -> Int
}
