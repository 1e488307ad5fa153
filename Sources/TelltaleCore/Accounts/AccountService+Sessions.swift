public import Foundation

/// Dashboard sign-in: sessions whose secret lives only in the browser's cookie.
extension AccountService {
    /// Starts a session for a user who has proved their password; returns the cookie's secret.
    public func startSession(for user: User, now: Date = Date()) async throws -> (WebSession, secret: String) {
        let secret = SecretGenerator.hex(byteCount: 32)
        let session = WebSession(
            digest: digester.digest(secret),
            userID: user.id,
            csrfToken: SecretGenerator.hex(byteCount: 32),
            createdAt: now,
            expiresAt: now.addingTimeInterval(WebSession.lifetime)
        )
        try await repositories.sessions.create(session)
        return (session, secret)
    }

    /// The live session and its user for a cookie's secret; `nil` for unknown or expired ones.
    public func session(secret: String, now: Date = Date()) async throws -> (WebSession, User)? {
        guard secret.utf8.count == 64, secret.allSatisfy(\.isHexDigit),
              let session = try await repositories.sessions.session(digest: digester.digest(secret), now: now),
              let user = try await repositories.users.user(id: session.userID)
        else { return nil }
        return (session, user)
    }

    /// Signs the cookie's session out.
    public func endSession(secret: String) async throws {
        try await repositories.sessions.delete(digest: digester.digest(secret))
    }

    /// Changes a signed-in user's password after checking the current one, and signs out
    /// their other sessions. `DomainError.invalid` when the current password is wrong.
    public func changePassword(of user: User, current: String, new: String, keeping session: WebSession?) async throws {
        guard try await passwords.verify(current, hash: user.passwordHash) else {
            throw DomainError.invalid(ValidationError(field: "current_password", reason: "is not your current password"))
        }
        try validated { () throws(ValidationError) in try User.validatePassword(new) }
        try await repositories.users.setPasswordHash(try await passwords.hash(new), for: user.id)
        try await repositories.sessions.deleteAll(userID: user.id, keeping: session?.digest)
    }
}
