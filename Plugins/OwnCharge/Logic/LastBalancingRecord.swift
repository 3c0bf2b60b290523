import PluginKit

/// The stored date of the last balancing: written as "YYYY-MM-DD"; the Python program's format,
/// a day of the year ("123", "123.0"), is still read so a user's history carries over.
public enum LastBalancingRecord {
    /// State key; the host keeps it as the file "storedvalue_last_balancing", as Python did.
    public static let stateKey = "last_balancing"

    public enum Reading: Equatable, Sendable {
        /// New format.
        case date(CalendarDate)
        /// Old day-of-year format, mapped to a real date (should be rewritten in the new format).
        case convertedDayOfYear(Int, CalendarDate)
        case corrupt(reason: String)
    }

    public static func text(_ date: CalendarDate) -> String {
        var text = "\(date.year)"
        while text.utf8.count < 4 { text = "0" + text }
        text += date.month < 10 ? "-0\(date.month)" : "-\(date.month)"
        text += date.day < 10 ? "-0\(date.day)" : "-\(date.day)"
        return text
    }

    /// Parses stored text; `today` places an old day-of-year in the right year.
    public static func parse(_ stored: String, today: CalendarDate) -> Reading {
        let text = IniValue.trimmed(stored)
        if text.utf8.contains(UInt8(ascii: "-")) {
            guard let date = isoDate(text) else {
                return .corrupt(reason: "not a date YYYY-MM-DD nor a day of the year")
            }
            return .date(date)
        }
        guard let number = try? IniValue.double(text) else {
            return .corrupt(reason: "not a date YYYY-MM-DD nor a day of the year")
        }
        guard number == number.rounded(), number >= 1, number <= 366 else {
            return .corrupt(reason: "day of the year must be a whole number 1..366")
        }
        let dayOfYear = Int(number)
        return .convertedDayOfYear(dayOfYear, mostRecentDate(dayOfYear: dayOfYear, notAfter: today))
    }

    /// The latest date that is day `dayOfYear` of its year and not after `today`: this year if
    /// that day has come, else last year. Day 366 of a non-leap year counts as December 31st.
    public static func mostRecentDate(dayOfYear: Int, notAfter today: CalendarDate) -> CalendarDate {
        for year in [today.year, today.year - 1] {
            let clampedDay = min(dayOfYear, GregorianCalendar.daysInYear(year))
            if let candidate = GregorianCalendar.date(year: year, dayOfYear: clampedDay), candidate <= today {
                return candidate
            }
        }
        // Unreachable for dayOfYear in 1...366: last year's date is always before today.
        return today
    }

    /// Exactly "YYYY-MM-DD" with digits only, and a real date.
    static func isoDate(_ text: Substring) -> CalendarDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, parts[1].utf8.count == 2, parts[2].utf8.count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let date = CalendarDate(year: year, month: month, day: day)
        return GregorianCalendar.isValid(date) ? date : nil
    }
}
