/// Lower-case hexadecimal text of bytes: random ids, grouping digests, webhook signatures.
public enum Hex {
    /// Two digits per byte, written straight into the string's storage.
    public static func lowercase(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 2 * bytes.count) { buffer in
            var count = 0
            for byte in bytes {
                buffer[count] = digits.utf8Start[Int(byte >> 4)]
                buffer[count + 1] = digits.utf8Start[Int(byte & 0x0F)]
                count += 2
            }
            return count
        }
    }
}
