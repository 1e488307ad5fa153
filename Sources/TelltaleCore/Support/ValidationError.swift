/// A value that breaks a domain rule, named by its field.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault.
    public var field: String
    /// What is wrong with it, phrased to follow the field name.
    public var reason: String

    /// Creates a validation error.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field) \(reason)" }
}

/// Failures every layer understands; the HTTP layer maps each to one status.
public enum DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Bad input.
    case invalid(ValidationError)
    /// The named thing does not exist (or the caller may not know it exists).
    case notFound(String)
    /// The thing already exists.
    case conflict(String)
    /// The caller is known but may not do this.
    case forbidden(String)

    public var description: String {
        switch self {
        case .invalid(let error): error.description
        case .notFound(let what): "\(what) not found"
        case .conflict(let what): what
        case .forbidden(let why): why
        }
    }
}
