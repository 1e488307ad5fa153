import Foundation
public import SentryProtocol

/// Reads protocol timestamps: RFC 3339 strings (zone optional, fraction optional) or
/// numbers of seconds since 1970 (§6.2).
public enum Timestamps {
    /// Seconds since 1970, or `nil` for something that is not a timestamp.
    public static func seconds(_ value: JSONValue?) -> Double? {
        guard let value else { return nil }
        if let number = value.doubleValue { return number.isFinite && number > 0 && number < 253_402_300_800 ? number : nil }
        guard let text = value.stringValue else { return nil }
        return parseRFC3339(text)
    }

    /// A hand-rolled RFC 3339 reader: date formatters are too slow for the ingest path.
    public static func parseRFC3339(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45, let day = number(8..<10),
              bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32,
              let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16), bytes[16] == 58, let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < bytes.count {
            switch bytes[index] {
            case 90, 122: index += 1
            case 43, 45:
                guard index + 6 <= bytes.count, let hours = number((index + 1)..<(index + 3)), bytes[index + 3] == 58,
                      let minutes = number((index + 4)..<(index + 6)) else { return nil }
                offset = (hours * 3600 + minutes * 60) * (bytes[index] == 43 ? 1 : -1)
                index += 6
            default: return nil
            }
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
