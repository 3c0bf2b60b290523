import PluginKit

/// The stored date of the last balancing, in a form both programs read:
///
///     335
///     2026-12-01
///
/// The first line is the day of the year, all the Python program reads (`int(readline())`), so a
/// user who goes back to it keeps the date; the second is the real date, which this program
/// reasons in (day-of-year arithmetic is wrong across leap years and after a year away).
/// The Python program's own file, a day of the year alone ("123", "123.0"), is still read, and so
/// is a date alone ("YYYY-MM-DD", what this program wrote before).
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

    /// The file's text for `date`: day of the year, then the date, one a line.
    public static func storedText(_ date: CalendarDate) -> String {
        "\(GregorianCalendar.dayOfYear(date))\n" + text(date) + "\n"
    }

    /// "YYYY-MM-DD", for the second line and for messages.
    public static func text(_ date: CalendarDate) -> String {
        var text = "\(date.year)"
        while text.utf8.count < 4 { text = "0" + text }
        text += date.month < 10 ? "-0\(date.month)" : "-\(date.month)"
        text += date.day < 10 ? "-0\(date.day)" : "-\(date.day)"
        return text
    }

    /// Parses stored text; `today` places a day of the year without a date in the right year.
    public static func parse(_ stored: String, today: CalendarDate) -> Reading {
        // Split on the bytes: "\r\n" is one Character, which a split on "\n" would not cut.
        var lines: [Substring] = []
        for line in stored.utf8.split(whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            let trimmed = IniValue.trimmed(String(decoding: line, as: UTF8.self))
            if !trimmed.isEmpty { lines.append(trimmed) }
        }
        guard lines.count == 2 else {
            return lines.count == 1 ? parseLine(lines[0], today: today)
                : .corrupt(reason: "not a day of the year and a date YYYY-MM-DD, one a line")
        }
        guard case .convertedDayOfYear(let dayOfYear, let guessed) = parseLine(lines[0], today: today) else {
            return .corrupt(reason: "first line must be the day of the year 1..366")
        }
        // The date holds only while it is the day the first line says: the Python program (or a
        // person) may have changed the day since, and the day is then what counts.
        if let date = isoDate(lines[1]), GregorianCalendar.dayOfYear(date) == dayOfYear {
            return .date(date)
        }
        return .convertedDayOfYear(dayOfYear, guessed)
    }

    /// One line: a date or a day of the year.
    private static func parseLine(_ text: Substring, today: CalendarDate) -> Reading {
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
