public import Foundation
public import Hummingbird
public import TelltaleCore

/// The request context of every Telltale route: Hummingbird's core storage plus the caller.
public struct TelltaleRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by the authentication middleware.
    public var principal: Principal?
    /// The dashboard session the caller signed in with (cookie), if any.
    public var session: WebSession?
    /// The peer's IP address.
    public var remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.session = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON with ISO 8601 dates, as the REST API documents them.
    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// JSON with ISO 8601 dates and stable key order.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// The caller, or 401 when the request carries no valid credential.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized("authentication credentials were not provided or are invalid") }
        return principal
    }
}
