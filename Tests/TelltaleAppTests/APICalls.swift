import HTTPTypes
import HummingbirdTesting
import NIOCore

extension TestClientProtocol {
    /// `/api/0/<path>` with a bearer token and a JSON body: the status and the body text.
    func api(_ path: String, _ method: HTTPRequest.Method, _ token: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, String) {
        try await execute(uri: "/api/0/" + path, method: method, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
                          body: body.map { ByteBuffer(string: $0) }) { ($0.status, String(buffer: $0.body)) }
    }
}
