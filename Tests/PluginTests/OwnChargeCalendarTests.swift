import Testing
import PluginKit
@testable import OwnChargeLogic

@Suite("OwnCharge calendar and last-balancing storage")
struct OwnChargeCalendarTests {
    @Test(arguments: [(2024, true), (2028, true), (2000, true), (1900, false), (2100, false), (2026, false), (2027, false)])
    func leapYears(year: Int, leap: Bool) {
        #expect(GregorianCalendar.isLeapYear(year) == leap)
        #expect(GregorianCalendar.daysInYear(year) == (leap ? 366 : 365))
    }

    @Test(arguments: [
        (ownChargeDate(2028, 2, 28), ownChargeDate(2028, 3, 1), 2),   // leap year
        (ownChargeDate(2027, 2, 28), ownChargeDate(2027, 3, 1), 1),
        (ownChargeDate(2026, 12, 31), ownChargeDate(2027, 1, 1), 1),  // year change
        (ownChargeDate(2026, 1, 31), ownChargeDate(2026, 2, 1), 1),   // month change
        (ownChargeDate(2026, 11, 20), ownChargeDate(2026, 11, 25), 5),
        (ownChargeDate(2024, 1, 1), ownChargeDate(2025, 1, 1), 366),
        (ownChargeDate(2025, 1, 1), ownChargeDate(2026, 1, 1), 365),
        (ownChargeDate(2000, 1, 1), ownChargeDate(2100, 1, 1), 36525),
        (ownChargeDate(2026, 12, 16), ownChargeDate(2027, 1, 10), 25),
        (ownChargeDate(2026, 11, 25), ownChargeDate(2026, 11, 20), -5),
    ])
    func daysBetweenRealDates(from: CalendarDate, to: CalendarDate, days: Int) {
        #expect(GregorianCalendar.daysBetween(from, to) == days)
    }

    @Test(arguments: [2024, 2026, 2028, 2100])
    func dayOfYearRoundTripsEveryDay(year: Int) {
        var previous: CalendarDate?
        for dayOfYear in 1...GregorianCalendar.daysInYear(year) {
            let date = GregorianCalendar.date(year: year, dayOfYear: dayOfYear)
            #expect(date.map(GregorianCalendar.isValid) == true)
            #expect(date.map(GregorianCalendar.dayOfYear) == dayOfYear)
            if let previous, let date { #expect(GregorianCalendar.daysBetween(previous, date) == 1) }
            previous = date
        }
        #expect(previous == ownChargeDate(year, 12, 31))
        #expect(GregorianCalendar.date(year: year, dayOfYear: GregorianCalendar.daysInYear(year) + 1) == nil)
    }

    @Test(arguments: [
        (ownChargeDate(2026, 2, 29), false), (ownChargeDate(2028, 2, 29), true), (ownChargeDate(2026, 4, 31), false),
        (ownChargeDate(2026, 13, 1), false), (ownChargeDate(2026, 0, 1), false), (ownChargeDate(2026, 12, 31), true),
    ])
    func dateValidity(date: CalendarDate, valid: Bool) {
        #expect(GregorianCalendar.isValid(date) == valid)
    }

    @Test(arguments: [
        (350, ownChargeDate(2027, 1, 10), ownChargeDate(2026, 12, 16)),  // January about a December day
        (5, ownChargeDate(2027, 1, 10), ownChargeDate(2027, 1, 5)),
        (10, ownChargeDate(2027, 1, 10), ownChargeDate(2027, 1, 10)),    // today counts
        (11, ownChargeDate(2027, 1, 10), ownChargeDate(2026, 1, 11)),    // tomorrow -> last year
        (366, ownChargeDate(2027, 1, 10), ownChargeDate(2026, 12, 31)),  // 2026 has 365 days
        (366, ownChargeDate(2025, 1, 10), ownChargeDate(2024, 12, 31)),  // 2024 is a leap year
        (366, ownChargeDate(2026, 12, 31), ownChargeDate(2026, 12, 31)),
        (60, ownChargeDate(2028, 3, 5), ownChargeDate(2028, 2, 29)),
        (60, ownChargeDate(2027, 3, 5), ownChargeDate(2027, 3, 1)),
    ])
    func oldDayOfYearMapsToMostRecentDate(dayOfYear: Int, today: CalendarDate, expected: CalendarDate) {
        #expect(LastBalancingRecord.mostRecentDate(dayOfYear: dayOfYear, notAfter: today) == expected)
    }

    @Test(arguments: [
        ("2026-11-20", LastBalancingRecord.Reading.date(ownChargeDate(2026, 11, 20))),
        (" 2028-02-29\n", .date(ownChargeDate(2028, 2, 29))),
        ("350", .convertedDayOfYear(350, ownChargeDate(2026, 12, 16))),
        ("350.0\n", .convertedDayOfYear(350, ownChargeDate(2026, 12, 16))),
        ("  5 \n", .convertedDayOfYear(5, ownChargeDate(2027, 1, 5))),
    ])
    func parsesBothFormats(stored: String, expected: LastBalancingRecord.Reading) {
        #expect(LastBalancingRecord.parse(stored, today: ownChargeDate(2027, 1, 10)) == expected)
    }

    @Test(arguments: ["", "garbage", "0", "367", "123.5", "-4", "2026-02-30", "2026-1-5", "26-01-05", "2026-01-05x"])
    func corruptTextIsRecognised(stored: String) {
        if case .corrupt = LastBalancingRecord.parse(stored, today: ownChargeDate(2027, 1, 10)) {} else {
            Issue.record("\"\(stored)\" should be corrupt")
        }
    }

    @Test func writesIsoDates() {
        #expect(LastBalancingRecord.text(ownChargeDate(2027, 1, 5)) == "2027-01-05")
        #expect(LastBalancingRecord.text(ownChargeDate(2026, 12, 16)) == "2026-12-16")
    }

    /// The file keeps the Python program's day of the year on its first line, with our date below.
    @Test(arguments: [
        (ownChargeDate(2027, 1, 5), "5\n2027-01-05\n"),
        (ownChargeDate(2026, 12, 16), "350\n2026-12-16\n"),
        (ownChargeDate(2024, 12, 31), "366\n2024-12-31\n"),
        (ownChargeDate(2025, 12, 31), "365\n2025-12-31\n"),
    ])
    func storedTextRoundTripsAndThePythonReaderGetsTheDay(date: CalendarDate, stored: String) throws {
        #expect(LastBalancingRecord.storedText(date) == stored)
        // The Python program: int(file.readline().strip()).
        let firstLine = try #require(stored.split(separator: "\n").first)
        #expect(Int(firstLine) == GregorianCalendar.dayOfYear(date))
        // Our reader keeps the real date, even more than a year back.
        #expect(LastBalancingRecord.parse(stored, today: ownChargeDate(2027, 1, 10)) == .date(date))
        let crlf = stored.split(separator: "\n").map { $0 + "\r\n" }.joined()
        #expect(LastBalancingRecord.parse(crlf, today: ownChargeDate(2027, 1, 10)) == .date(date))
    }

    @Test(arguments: [
        // The Python program wrote its day over our file: the day alone, the year guessed.
        ("12", LastBalancingRecord.Reading.convertedDayOfYear(12, ownChargeDate(2026, 1, 12))),
        // The day line was changed but the date line not: the day counts.
        ("9\n2027-01-05\n", .convertedDayOfYear(9, ownChargeDate(2027, 1, 9))),
        ("5\nsometime\n", .convertedDayOfYear(5, ownChargeDate(2027, 1, 5))),
        ("5\n\n2027-01-05\n\n", .date(ownChargeDate(2027, 1, 5))),
    ])
    func theDayLineWinsOverADateThatDisagrees(stored: String, expected: LastBalancingRecord.Reading) {
        #expect(LastBalancingRecord.parse(stored, today: ownChargeDate(2027, 1, 10)) == expected)
    }

    @Test(arguments: ["2027-01-05\n5\n", "x\n2027-01-05\n", "5\n2027-01-05\nmore\n", "0\n2026-12-31\n"])
    func aMalformedTwoLineFileIsCorrupt(stored: String) {
        if case .corrupt = LastBalancingRecord.parse(stored, today: ownChargeDate(2027, 1, 10)) {} else {
            Issue.record("\"\(stored)\" should be corrupt")
        }
    }
}

/// OwnCharge's number texts, now read by PluginKit's IniValue and written by its FixedDecimal.
@Suite("OwnCharge number text")
struct OwnChargeNumberTextTests {
    @Test(arguments: [("3.45", 3.45), (" 200 ", 200.0), ("-0.5", -0.5), (".5", 0.5), ("1e-3", 0.001),
                      ("+2", 2.0), ("0.025", 0.025), ("\n3.55", 3.55), ("2.", 2.0)])
    func parsesDecimals(text: String, value: Double) {
        #expect((try? IniValue.double(text)) == value)
    }

    @Test(arguments: ["", "abc", "3.4.5", "3,45", "-", ".", "3.4V", "1e", "nan"])
    func rejectsNonNumbers(text: String) {
        #expect((try? IniValue.double(text)) == nil)
    }

    @Test(arguments: [(3.456, 2, "3.46"), (55.2, 2, "55.20"), (-1.25, 1, "-1.3"), (-0.004, 2, "0.00"),
                      (200, 1, "200.0"), (0.025, 3, "0.025"), (7, 0, "7"), (3.4999, 3, "3.500")])
    func formatsFixedDecimals(value: Double, decimals: Int, text: String) {
        #expect(FixedDecimal.format(value, decimals: decimals, rounding: .halfAwayFromZero) == text)
    }
}
