import Foundation
public import Hummingbird
import Logging
import TelltaleCore
public import TelltaleHTTP
public import TelltaleIncidents

/// The signed one-click links of notifications, without a session. Opening a link shows one
/// button (mail scanners and chat previews open links, so a GET changes nothing); pressing it
/// acknowledges or resolves. A forged, altered or expired link is a 403 and changes nothing.
public struct IncidentActionLinks: Sendable {
    let service: IncidentService

    public init(service: IncidentService) {
        self.service = service
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        router.get("incident-actions/:token") { request, context -> Response in
            let token = try context.parameters.require("token")
            do {
                let (id, action) = try service.links.verify(token, now: Date())
                guard let incident = try await service.repositories.incidents.incident(id: id) else { return Self.page(.notFound, "This incident no longer exists.") }
                let verb = action == .acknowledge ? "Acknowledge" : "Resolve"
                return Self.page(.ok, "Incident #\(id): \(incident.title) is \(incident.status.rawValue).",
                                 form: "<form method=\"post\"><button type=\"submit\">\(verb) incident #\(id)</button></form>")
            } catch {
                context.logger.notice("Refused an incident link", metadata: ["reason": "\(error)"])
                return Self.page(.forbidden, "This link is not valid or has expired.")
            }
        }
        router.post("incident-actions/:token") { request, context -> Response in
            let token = try context.parameters.require("token")
            let id: IncidentID, action: ActionLinks.Action
            do {
                (id, action) = try service.links.verify(token, now: Date())
            } catch {
                context.logger.notice("Refused an incident link", metadata: ["reason": "\(error)"])
                return Self.respond(request, .forbidden, "this link is not valid or has expired")
            }
            do {
                let changed = switch action {
                case .acknowledge: try await service.acknowledge(id, by: .link, via: "a one-click link")
                case .resolve: try await service.resolve(id, by: .link, message: "resolved through a one-click link")
                }
                return Self.respond(request, .ok, "incident #\(id) is \(changed.status.rawValue)")
            } catch let conflict as IncidentConflict {
                return Self.respond(request, .conflict, conflict.description)
            } catch DomainError.notFound {
                return Self.respond(request, .notFound, "incident not found")
            }
        }
    }

    /// JSON for scripts (`Accept: application/json`), a small page for people.
    static func respond(_ request: Request, _ status: HTTPResponse.Status, _ message: String) -> Response {
        if request.headers[.accept]?.contains("application/json") == true {
            let body = (try? JSONEncoder().encode(["detail": message])) ?? Data()
            return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        return page(status, message.prefix(1).uppercased() + message.dropFirst() + ".")
    }

    static func page(_ status: HTTPResponse.Status, _ message: String, form: String = "") -> Response {
        let escaped = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Incident — Telltale</title><style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
            button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}</style></head>
            <body><main><h1>Telltale</h1><p>\(escaped)</p>\(form)</main></body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
