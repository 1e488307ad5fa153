/// A typed database identifier: an `Identifier<Project>` cannot be passed where an
/// `Identifier<User>` is expected.
public struct Identifier<Entity>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The row id.
    public let rawValue: Int64

    /// Wraps a row id.
    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}

/// Identifies an ``Organization``.
public typealias OrganizationID = Identifier<Organization>
/// Identifies a ``User``.
public typealias UserID = Identifier<User>
/// Identifies a ``Project``.
public typealias ProjectID = Identifier<Project>
/// Identifies a ``ClientKey``.
public typealias ClientKeyID = Identifier<ClientKey>
/// Identifies an ``APIToken``.
public typealias APITokenID = Identifier<APIToken>
/// Identifies an ``Invitation``.
public typealias InvitationID = Identifier<Invitation>
