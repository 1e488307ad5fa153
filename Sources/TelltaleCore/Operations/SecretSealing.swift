/// Seals secrets stored in the database (channel, forwarder and monitor settings, runbook
/// headers) under the installation's secrets key, which is never in the database.
public protocol SecretSealing: Sendable {
    /// `plain` sealed under the current key.
    func seal(_ plain: String) throws -> String
    /// A sealed value opened; anything not sealed (stored before sealing existed) as it is.
    func open(_ stored: String) throws -> String
}
