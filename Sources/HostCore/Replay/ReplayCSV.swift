import PluginKit

/// replay.csv: one row a tick, what a strategy choice gave beside what the trace says was
/// published, with the units in the column names; empty cells are unknown.
public enum ReplayCSV {
    public static let header = "time_s,date,batteries_expected,batteries_online,cvl_v,ccl_a,dcl_a,soc_percent,"
        + "bank_voltage_v,bank_current_a,min_cell_voltage_v,max_cell_voltage_v,feed_in_off,internal_failure,"
        + "limit_reason,recorded_cvl_v,recorded_ccl_a,recorded_dcl_a,recorded_soc_percent\n"

    public static func row(_ row: ReplayTick, tick: TraceTick, outcome: StrategyTick.Outcome) -> String {
        let context = tick.context
        var fields: [String] = []
        fields.reserveCapacity(19)
        fields.append(number(row.timeSeconds))
        fields.append(TraceCoding.dateText(context.date))
        fields.append("\(context.batteriesExpected)")
        fields.append("\(context.batteriesOnline)")
        fields.append(number(row.chargeVoltageLimit))
        fields.append(number(row.chargeCurrentLimit))
        fields.append(number(row.dischargeCurrentLimit))
        fields.append(number(row.socPercent))
        fields.append(number(context.bank.voltage))
        fields.append(number(context.bank.current))
        fields.append(number(row.minCellVoltage))
        fields.append(number(row.maxCellVoltage))
        fields.append(row.feedInOff ? "1" : "0")
        fields.append("\(outcome.limits.internalFailureAlarm)")
        fields.append(quoted(row.limitReason))
        fields.append(number(tick.published?.chargeVoltageLimit))
        fields.append(number(tick.published?.chargeCurrentLimit))
        fields.append(number(tick.published?.dischargeCurrentLimit))
        fields.append(number(tick.published?.socPercent))
        return fields.joined(separator: ",") + "\n"
    }

    private static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return JSONWriter.numberText(value)
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func quoted(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D })
        else { return text }
        var out = "\""
        for character in text {
            if character == "\"" { out += "\"\"" } else { out.append(character) }
        }
        return out + "\""
    }
}
