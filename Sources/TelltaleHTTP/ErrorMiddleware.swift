public import Hummingbird
import Logging
import TelltaleCore

/// Turns every error into a JSON response: domain errors by their kind, Hummingbird's own
/// errors with their status, anything else as a 500 whose body shows no internals.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as DomainError {
            throw APIError(error)
        } catch let error as ValidationError {
            throw APIError(.invalid(error))
        } catch let error as IssueQueryError {
            throw APIError.badRequest(error.description)
        } catch let error as IncidentConflict {
            throw APIError(.conflict, error.description)
        } catch let error as IssueTransitionError {
            throw APIError.badRequest(error.description)
        } catch let error as DecodingError {
            throw APIError.badRequest("invalid JSON body: \(Self.describe(error))")
        } catch let error as any HTTPResponseError {
            // Hummingbird's own (404 for unknown routes, 413 for large bodies…), with a JSON body.
            throw APIError(error.status, Self.reason(error))
        } catch {
            context.logger.error("Request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalServerError, "internal server error")
        }
    }

    private static func reason(_ error: any HTTPResponseError) -> String {
        if let error = error as? HTTPError, let body = error.body { return body }
        return error.status.reasonPhrase.lowercased()
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "" : " at '\(path)'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context): return "wrong type\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value\(path(context))"
        case .dataCorrupted(let context): return "malformed\(path(context)): \(context.debugDescription)"
        @unknown default: return "malformed"
        }
    }
}
