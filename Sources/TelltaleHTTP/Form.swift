import Foundation
public import Hummingbird
import NIOCore

/// An `application/x-www-form-urlencoded` body or query string, as browsers and Python's
/// requests send it; the REST API's `?query=` and the dashboard's forms both read it.
public struct Form: Sendable {
    private var pairs: [(String, String)]

    /// Parses `a=1&b=two+words`; `+` is a space, `%XX` are bytes of UTF-8.
    public init(encoded text: Substring) {
        pairs = text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Every field in order, repeated ones repeated.
    public var fields: [(String, String)] { pairs }

    /// The first value of a field.
    public subscript(name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    /// Every value of a repeated field (checkboxes).
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map(\.1)
    }

    /// A trimmed, non-empty value.
    public func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The largest form body accepted: forms here are small.
    public static let maxBytes = 256 * 1024

    /// Reads a request's form body.
    public static func body(of request: Request) async throws -> (Form, Request) {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBytes)
        return (Form(encoded: Substring(String(buffer: buffer))), request)
    }

    /// The query string as a form (`?query=is:unresolved+level:error`).
    public static func query(of request: Request) -> Form {
        Form(encoded: Substring(request.uri.query ?? ""))
    }
}
