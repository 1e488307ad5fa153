import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore
public import TelltaleCore

/// An error that knows its HTTP response: a status and a JSON body `{"detail": "…"}`
/// (the shape Sentry's API and SDKs use).
public struct APIError: HTTPResponseError, CustomStringConvertible {
    /// The response status.
    public var status: HTTPResponse.Status
    /// What went wrong, for the caller.
    public var detail: String
    /// Extra headers (`Retry-After`, `WWW-Authenticate`…).
    public var headers: HTTPFields

    /// Creates an error response.
    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    /// 401 with a bearer challenge.
    public static func unauthorized(_ detail: String) -> APIError {
        APIError(.unauthorized, detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 403.
    public static func forbidden(_ detail: String) -> APIError { APIError(.forbidden, detail) }

    /// 404.
    public static func notFound(_ detail: String) -> APIError { APIError(.notFound, detail) }

    /// 400.
    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, detail) }

    /// The response for a domain error: invalid → 400, not found → 404, conflict → 409, forbidden → 403.
    public init(_ error: DomainError) {
        switch error {
        case .invalid: self.init(.badRequest, error.description)
        case .notFound: self.init(.notFound, error.description)
        case .conflict: self.init(.conflict, error.description)
        case .forbidden: self.init(.forbidden, error.description)
        }
    }

    public var description: String { "\(status.code) \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = "{\"detail\":" + JSONText.quoted(detail) + "}"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Minimal JSON string quoting for error bodies (no encoder needed for one field).
public enum JSONText {
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
