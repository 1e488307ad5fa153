import Foundation
public import Hummingbird
import Logging
import NIOCore
import SentryProtocol
public import TelltaleHTTP
public import TelltaleIngest

/// `GET|POST /api/{project_id}/cron/{monitor_slug}/{sentry_key}/`: Sentry's check-in URL for
/// jobs without an SDK (`?status=in_progress|ok|error&check_in_id=…&duration=…`, or a JSON
/// check-in body). Answers 202.
public struct CronCheckInController: Sendable {
    let service: IngestService

    public init(service: IngestService) {
        self.service = service
    }

    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        for method in [HTTPRequest.Method.get, .post] {
            router.on("api/:project_id/cron/:slug/:key/", method: method) { request, context in await handle(request, context) }
        }
    }

    func handle(_ request: Request, _ context: TelltaleRequestContext) async -> Response {
        let project = context.parameters.get("project_id") ?? ""
        let slug = context.parameters.get("slug") ?? ""
        let key = context.parameters.get("key") ?? ""
        do throws(IngestFailure) {
            var body: JSONValue?
            if request.method == .post, request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
                guard let buffer = try? await request.body.collect(upTo: 100 * 1024) else { throw IngestFailure(413, "a check-in is limited to 100 KiB") }
                guard let parsed = try? JSONParser.parse(buffer.readableBytesView) else { throw IngestFailure(400, "the body is not JSON") }
                body = parsed
            }
            var fields: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { fields[String(name)] = String(value) }
            try await service.checkIn(projectID: project, publicKey: key, slug: slug, fields: fields, body: body)
            return Response(status: .accepted, headers: [.accessControlAllowOrigin: "*"])
        } catch {
            context.logger.notice("Check-in refused", metadata: ["http.status": "\(error.status)", "reason": "\(error.detail)"])
            let text = "{\"detail\":" + JSONText.quoted(error.detail) + "}"
            return Response(status: .init(code: error.status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
