import Foundation
import HTTPTypes
public import Hummingbird
import TelltaleHTTP

/// Friendly pages instead of JSON for people: any error answered to a browser page request
/// (not the APIs) becomes an HTML page with the same status; a page that needs a signed-in
/// user sends the browser to the sign-in form and back.
public struct HTMLErrorPages<Context: RequestContext>: RouterMiddleware {
    let templates: WebTemplates

    public init(templates: WebTemplates) {
        self.templates = templates
    }

    struct ErrorView {
        var status: Int
        var title: String
        var message: String
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            guard Self.wantsPage(request) else { throw error }
            if error.status == .unauthorized {
                let next = request.method == .get ? request.uri.description : "/"
                return redirect("/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            var response = templates.page("error", Self.view(error), status: error.status)
            for field in error.headers where field.name != .wwwAuthenticate { response.headers.append(field) }
            return response
        }
    }

    static func wantsPage(_ request: Request) -> Bool {
        let path = request.uri.path
        guard !path.hasPrefix("/api/"), path != "/metrics", !path.hasPrefix("/health"), !path.hasPrefix("/static/") else { return false }
        if request.headers[.csrfToken] != nil { return false }
        return request.headers[.accept]?.contains("text/html") == true || request.method == .post
    }

    static func view(_ error: APIError) -> ErrorView {
        switch error.status {
        case .notFound:
            ErrorView(status: 404, title: "Page not found", message: "There is nothing here, or you do not have access to it.")
        case .forbidden:
            ErrorView(status: 403, title: "Not allowed", message: error.detail.prefix(1).uppercased() + error.detail.dropFirst() + ".")
        case .badRequest, .conflict, .unprocessableContent, .contentTooLarge:
            ErrorView(status: Int(error.status.code), title: "That did not work", message: error.detail.prefix(1).uppercased() + error.detail.dropFirst() + ".")
        case .tooManyRequests:
            ErrorView(status: 429, title: "Slow down", message: error.detail)
        default:
            ErrorView(status: Int(error.status.code), title: "Something went wrong",
                      message: "Telltale could not show this page. The error has been logged; try again in a moment.")
        }
    }
}
