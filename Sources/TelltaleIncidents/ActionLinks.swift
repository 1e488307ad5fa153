import Crypto
public import Foundation
import Synchronization
public import TelltaleCore

/// One-click links in notifications: acknowledge or resolve one incident, until they expire.
/// The token is `incident.action.expiry.signature`, an HMAC-SHA256 over the first three under
/// a key derived from the installation's secret, so a link does exactly one thing and cannot
/// be altered to do another. The secret is stored in the database, so it is set once the
/// schema is ready; until then no link is made or accepted.
public final class ActionLinks: Sendable {
    public enum Action: String, Sendable { case acknowledge, resolve }

    public enum Failure: Error, Equatable {
        case malformed, forged, expired
    }

    let key = Mutex<SymmetricKey?>(nil)
    let publicURL: String
    public let lifetime: TimeInterval

    public init(publicURL: String, lifetime: TimeInterval = 7 * 86_400) {
        self.publicURL = publicURL
        self.lifetime = lifetime
    }

    /// Derives the signing key from the installation's secret (a key of its own, so a link
    /// signature says nothing about other uses of the secret).
    public func setSecret(_ secret: String) {
        let derived = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("incident action links".utf8), using: SymmetricKey(data: Data(secret.utf8))))
        key.withLock { $0 = derived }
    }

    public func token(_ incident: IncidentID, _ action: Action, now: Date) -> String {
        let payload = "\(incident.rawValue).\(action.rawValue).\(Int64(now.addingTimeInterval(lifetime).timeIntervalSince1970))"
        return payload + "." + (signature(payload) ?? "unavailable")
    }

    public func url(_ incident: IncidentID, _ action: Action, now: Date) -> String {
        "\(publicURL)/incident-actions/\(token(incident, action, now: now))"
    }

    /// The incident and action a token allows, or why it allows nothing.
    public func verify(_ token: String, now: Date) throws(Failure) -> (IncidentID, Action) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let id = Int64(parts[0]), let action = Action(rawValue: parts[1]), let expiry = Int64(parts[2]) else { throw .malformed }
        guard let expected = signature(parts[0...2].joined(separator: ".")) else { throw .malformed }
        // Compared in constant time: the signature is the secret part.
        guard expected.utf8.count == parts[3].utf8.count,
              zip(expected.utf8, parts[3].utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { throw .forged }
        guard Double(expiry) > now.timeIntervalSince1970 else { throw .expired }
        return (IncidentID(id), action)
    }

    func signature(_ payload: String) -> String? {
        guard let key = key.withLock({ $0 }) else { return nil }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
