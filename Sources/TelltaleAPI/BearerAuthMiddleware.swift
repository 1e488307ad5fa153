import Logging
import Foundation
public import Hummingbird
public import TelltaleCore
public import TelltaleHTTP

/// Resolves `Authorization: Bearer <token>` to the caller. A request without the header goes
/// on unauthenticated (routes that need a caller refuse it); a wrong token is refused here.
public struct BearerAuthMiddleware: RouterMiddleware {
    public typealias Context = TelltaleRequestContext
    let accounts: AccountService

    /// Authenticates through the account service.
    public init(accounts: AccountService) {
        self.accounts = accounts
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return try await next(request, context)
        }
        guard let principal = try await accounts.principal(bearer: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            context.logger.notice("Refused an unknown or revoked API token")
            throw APIError.unauthorized("invalid or revoked token")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
