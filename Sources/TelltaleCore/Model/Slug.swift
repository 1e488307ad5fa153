/// A URL-safe name for organizations and projects: lowercase letters, digits, `-` and `_`,
/// starting with a letter or digit, at most 50 characters, not all digits (those are ids).
public struct Slug: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The validated text.
    public let rawValue: String

    /// Validates `text` as a slug.
    public init(_ text: String) throws(ValidationError) {
        guard !text.isEmpty, text.count <= 50 else {
            throw ValidationError(field: "slug", reason: "must be 1 to 50 characters long")
        }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
        }
        guard allowed else {
            throw ValidationError(field: "slug", reason: "may contain only lowercase letters, digits, '-' and '_'")
        }
        guard let first = text.unicodeScalars.first, first != "-", first != "_" else {
            throw ValidationError(field: "slug", reason: "must start with a letter or digit")
        }
        guard !text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw ValidationError(field: "slug", reason: "must not be all digits")
        }
        self.rawValue = text
    }

    /// Derives a slug from a display name ("My Shop!" → "my-shop").
    public static func derived(from name: String) -> Slug? {
        var result = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else if !result.isEmpty, !result.hasSuffix("-") {
                result += "-"
            }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return try? Slug(String(result.prefix(50)))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
