import PluginKit

/// Gregorian calendar arithmetic on `CalendarDate`, so the balancing schedule counts real days
/// (the Python program's day-of-year arithmetic went wrong across leap years and year changes).
public enum GregorianCalendar {
    /// Years this code reasons about; outside them a date is treated as invalid.
    public static let supportedYears: ClosedRange<Int> = 1...9999

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInYear(_ year: Int) -> Int {
        isLeapYear(year) ? 366 : 365
    }

    /// Days of `month` (1...12) in `year`; 0 for a month that does not exist.
    public static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    public static func isValid(_ date: CalendarDate) -> Bool {
        supportedYears.contains(date.year)
            && (1...12).contains(date.month)
            && date.day >= 1 && date.day <= daysInMonth(date.month, year: date.year)
    }

    /// 1 for January 1st ... 365 or 366 for December 31st.
    public static func dayOfYear(_ date: CalendarDate) -> Int {
        var days = date.day
        var month = 1
        while month < date.month {
            days += daysInMonth(month, year: date.year)
            month += 1
        }
        return days
    }

    /// The date that is day `dayOfYear` (1...daysInYear) of `year`; nil when out of range.
    public static func date(year: Int, dayOfYear: Int) -> CalendarDate? {
        guard supportedYears.contains(year), dayOfYear >= 1, dayOfYear <= daysInYear(year) else { return nil }
        var remaining = dayOfYear
        var month = 1
        while remaining > daysInMonth(month, year: year) {
            remaining -= daysInMonth(month, year: year)
            month += 1
        }
        return CalendarDate(year: year, month: month, day: remaining)
    }

    /// Days since 0001-01-01 (which is 0) in the proleptic Gregorian calendar.
    public static func dayNumber(_ date: CalendarDate) -> Int {
        let completedYears = date.year - 1
        let daysBeforeYear = completedYears * 365 + completedYears / 4 - completedYears / 100 + completedYears / 400
        return daysBeforeYear + dayOfYear(date) - 1
    }

    /// Whole days from `earlier` to `later`; negative when `later` is before `earlier`.
    public static func daysBetween(_ earlier: CalendarDate, _ later: CalendarDate) -> Int {
        dayNumber(later) - dayNumber(earlier)
    }
}
