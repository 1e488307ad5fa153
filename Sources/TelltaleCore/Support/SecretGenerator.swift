/// Random identifiers and secrets from the system's cryptographic generator.
public enum SecretGenerator {
    /// `byteCount` random bytes as lowercase hex (32 hex characters for 16 bytes).
    public static func hex(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.lowercase((0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A password people can type: 20 characters from an alphabet without look-alikes.
    public static func password() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
