import CSystem
import PluginKit

/// Today's date in the system's local time zone: balancing schedules and the monthly charge
/// voltage follow the calendar the user lives in.
public enum LocalCalendar {
    public static func today() -> CalendarDate {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return CalendarDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
    }
}
