import Crypto
public import TelltaleCore

/// SHA-256 of a token secret. Tokens are 256 random bits, so a fast digest is enough; a
/// slow one would only slow every API request.
public struct SHA256SecretDigester: SecretDigester {
    public init() {}

    public func digest(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
