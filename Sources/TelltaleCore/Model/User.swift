public import Foundation

/// A person who signs in to the dashboard or owns API tokens.
public struct User: Sendable, Hashable {
    /// Row id.
    public var id: UserID
    /// Unique sign-in address, stored lowercased.
    public var email: String
    /// Display name.
    public var name: String
    /// bcrypt hash of the password; never leaves the server.
    public var passwordHash: String
    /// A system administrator sees and manages every organization.
    public var isSystemAdmin: Bool
    /// When it was created.
    public var createdAt: Date

    /// Creates a user value.
    public init(id: UserID, email: String, name: String, passwordHash: String, isSystemAdmin: Bool, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.isSystemAdmin = isSystemAdmin
        self.createdAt = createdAt
    }

    /// Normalizes and checks an email address (one `@`, something on both sides, no spaces).
    public static func normalizedEmail(_ text: String) throws(ValidationError) -> String {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !email.contains(" "), email.count <= 254 else {
            throw ValidationError(field: "email", reason: "is not an email address")
        }
        return email
    }

    /// Checks a new password's length; bcrypt reads at most 72 bytes.
    public static func validatePassword(_ password: String) throws(ValidationError) {
        guard password.utf8.count >= 8 else {
            throw ValidationError(field: "password", reason: "must be at least 8 characters long")
        }
        guard password.utf8.count <= 72 else {
            throw ValidationError(field: "password", reason: "must be at most 72 bytes long")
        }
    }
}
