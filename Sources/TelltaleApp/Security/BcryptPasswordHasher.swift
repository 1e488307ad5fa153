import HummingbirdBcrypt
import NIOPosix
public import TelltaleCore

/// bcrypt (cost 12 by default) on NIO's blocking thread pool, so hashing never stalls the
/// cooperative pool that serves requests.
public struct BcryptPasswordHasher: PasswordHasher {
    let cost: UInt8

    /// Creates a hasher; tests may lower the cost (minimum 4).
    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    public func verifyWithoutAccount(_ password: String) async throws {
        let cost = self.cost
        _ = try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(password, hash: cost == 12 ? Self.dummyHash : Bcrypt.hash("no account", cost: cost))
        }
    }

    /// A hash at the default cost of a password nobody knows; made once, on first use.
    private static let dummyHash = Bcrypt.hash(SecretGenerator.hex(byteCount: 16), cost: 12)
}
