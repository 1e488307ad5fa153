import Foundation
import TelltaleCore

/// JSON columns of the alerting tables.
enum AlertCoding {
    struct ChannelRecord: Codable {
        var to: [String]?
        var url: String?
        var secret: String?
        var headers: [String: String]?
        var template: String?
        var routingKey: String?
    }

    static func encode(_ config: ChannelConfig) -> String {
        var record = ChannelRecord()
        switch config {
        case .email(let to): record.to = to
        case .slack(let url), .teams(let url), .discord(let url): record.url = url
        case .webhook(let url, let secret, let headers, let template):
            record.url = url
            record.secret = secret
            record.headers = headers
            record.template = template
        case .pagerduty(let key): record.routingKey = key
        }
        return json(record)
    }

    static func channelConfig(type: String, _ text: String) throws -> ChannelConfig {
        let record = try JSONDecoder().decode(ChannelRecord.self, from: Data(text.utf8))
        guard let type = ChannelType(rawValue: type) else { throw DomainError.notFound("channel type \(type)") }
        return try ChannelConfig.make(type: type, to: record.to, url: record.url, secret: record.secret, headers: record.headers,
                                      template: record.template, routingKey: record.routingKey)
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(text.utf8))
    }
}
