import Foundation
public import Logging
public import TelltaleStore

/// Where the secrets key comes from: `secrets.key` in the configuration, else `secrets.key` in
/// the data directory, generated (mode 0600) on first start with a warning to back it up. A
/// `secrets.key.next` beside it is a rotation that stopped half way: it is finished at start.
public struct SecretsKeyFile: Sendable {
    public var key: SecretsKey
    /// Keys values may still be sealed under (an interrupted rotation's old key).
    public var previous: [SecretsKey]
    /// The key file, when the key is not configured.
    public var path: String?

    static let fileName = "secrets.key"

    public static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(fileName)
    }

    public static func load(_ configuration: AppConfiguration, logger: Logger) throws -> SecretsKeyFile {
        if let key = configuration.secretsKey { return SecretsKeyFile(key: key, previous: [], path: nil) }
        return try loadFile(dataDirectory: configuration.dataDirectory, logger: logger)
    }

    /// The data directory's key file, generated when absent.
    public static func loadFile(dataDirectory: String, logger: Logger) throws -> SecretsKeyFile {
        let path = path(dataDirectory: dataDirectory)
        if let next = try read(path + ".next") {
            return SecretsKeyFile(key: next, previous: try read(path).map { [$0] } ?? [], path: path)
        }
        if let key = try read(path) { return SecretsKeyFile(key: key, previous: [], path: path) }
        let key = SecretsKey.generate()
        try write(key, to: path)
        logger.warning("Generated the secrets key that seals stored secrets (channels, forwarders, monitors, runbooks). Back it up with the database: without it they cannot be read. With several nodes, give every node this key (secrets.key).",
                       metadata: ["file": "\(path)"])
        return SecretsKeyFile(key: key, previous: [], path: path)
    }

    /// After the database is sealed under `key`: an interrupted rotation's files are put in place.
    public func finish() throws {
        guard let path, FileManager.default.fileExists(atPath: path + ".next") else { return }
        try? FileManager.default.removeItem(atPath: path + ".previous")
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.moveItem(atPath: path, toPath: path + ".previous") }
        try FileManager.default.moveItem(atPath: path + ".next", toPath: path)
    }

    /// Writes `key` as the rotation's next key beside the key file at `path`.
    public static func stage(_ key: SecretsKey, at path: String) throws {
        try write(key, to: path + ".next")
    }

    static func read(_ path: String) throws -> SecretsKey? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try SecretsKey(base64: String(decoding: data, as: UTF8.self)) } catch { throw SecretsKey.Invalid(description: "\(path): \(error)") }
    }

    static func write(_ key: SecretsKey, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data((key.base64 + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SecretsKey.Invalid(description: "cannot write the secrets key to \(path)")
        }
    }
}

extension Store {
    /// Seals with the configured key (or the data directory's key file) once the schema is
    /// current, as the server does at start and the command line before it writes settings;
    /// finishes a rotation cut short. Returns how many stored values were re-sealed.
    @discardableResult
    public func adoptSecretsKey(from configuration: AppConfiguration, logger: Logger) async throws -> Int {
        let keyFile = try SecretsKeyFile.load(configuration, logger: logger)
        let sealed = try await adoptSecretsKey(keyFile.key, previous: keyFile.previous)
        try keyFile.finish()
        if sealed > 0 { logger.info("Sealed stored secrets under the secrets key", metadata: ["secrets.sealed": "\(sealed)", "key.id": "\(keyFile.key.id)"]) }
        return sealed
    }
}
