extension KeyedDecodingContainer {
    /// An id given as a number or a string (`5` or `"5"`): the API prints ids as strings and
    /// scripts send either. `nil` when absent; a validation error naming `field` when it is
    /// there but not an id.
    func decodeID(forKey key: Key, field: String) throws -> Int64? {
        if let number = try? decodeIfPresent(Int64.self, forKey: key) { return number }
        guard let text = try? decodeIfPresent(String.self, forKey: key) else {
            if contains(key), (try? decodeNil(forKey: key)) != true { throw ValidationError(field: field, reason: "must be an id") }
            return nil
        }
        guard let number = Int64(text) else { throw ValidationError(field: field, reason: "must be an id, got '\(text)'") }
        return number
    }
}
