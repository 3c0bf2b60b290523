import CSystem

/// A local wall-clock time, to the second, as the state store stamps quarantined files.
public struct StateTimestamp: Equatable, Sendable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// "YYYYMMDD-HHMMSS": sorts by time and is safe in a file name.
    public var fileNameStamp: String {
        pad(year, 4) + pad(month, 2) + pad(day, 2) + "-" + pad(hour, 2) + pad(minute, 2) + pad(second, 2)
    }

    /// The system's local time; the daemon passes this as the store's clock, tests pass a fixed one.
    public static func systemLocalNow() -> StateTimestamp {
        var seconds = time(nil)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else {
            return StateTimestamp(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        }
        return StateTimestamp(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                              hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
