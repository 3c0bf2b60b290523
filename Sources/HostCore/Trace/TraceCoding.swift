import PluginKit

/// A trace line that cannot be read: the line number and what is wrong with it.
public struct TraceReadError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var problem: String

    public init(line: Int, _ problem: String) {
        self.line = line
        self.problem = problem
    }

    public var description: String { "line \(line): \(problem)" }
}

/// Trace lines as JSON: the member names are the C ABI's field names (`voltage_v`,
/// `cell_voltages_v`), so a trace reads like the `dab_tick_input` a strategy gets; unknown is null.
public enum TraceCoding {
    // MARK: Writing

    public static func line(_ header: TraceHeader) -> String {
        var json = JSONWriter(reservingCapacity: 256)
        json.beginObject()
        json.string("format", TraceHeader.format)
        json.integer("version", header.version)
        json.string("source", header.source)
        json.string("program", header.program)
        json.string("charge_strategy", header.chargeStrategy)
        json.string("soc_strategy", header.socStrategy)
        json.beginObject("config")
        for entry in header.config { json.string(entry.key, entry.value) }
        json.endObject()
        if let note = header.note { json.string("note", note) }
        json.endObject()
        return json.text
    }

    public static func line(_ tick: TraceTick) -> String {
        let context = tick.context
        var cellCount = 0
        for battery in context.batteries { cellCount += battery.cellVoltages.count }
        var json = JSONWriter(reservingCapacity: 1024 + context.batteries.count * 700 + cellCount * 8)
        json.beginObject()
        json.number("t", tick.timeSeconds)
        json.number("dt", context.timeStepSeconds)
        json.string("date", dateText(context.date))
        json.integer("expected", context.batteriesExpected)
        json.integer("online", context.batteriesOnline)
        json.number("capacity_share", tick.onlineCapacityShare)
        json.beginObject("vetoes")
        json.string("charge_blocked_by", tick.vetoes.chargeBlockedBy)
        json.string("discharge_blocked_by", tick.vetoes.dischargeBlockedBy)
        json.number("online_ccl_a", tick.vetoes.onlineChargeCurrent)
        json.number("online_dcl_a", tick.vetoes.onlineDischargeCurrent)
        json.endObject()
        json.beginObject("dvcc")
        json.number("max_charge_current_a", tick.dvcc.maxChargeCurrent)
        json.number("max_charge_voltage_v", tick.dvcc.maxChargeVoltage)
        json.endObject()
        write(context.bank, into: &json)
        json.beginArray("batteries")
        for battery in context.batteries { write(battery, into: &json) }
        json.endArray()
        if let charge = tick.charge {
            write(charge, into: &json)
        } else if let error = tick.chargeError {
            json.beginObject("charge")
            json.string("error", error)
            json.endObject()
        }
        if let soc = tick.soc {
            json.beginObject("soc")
            json.number("soc_percent", soc.socPercent)
            json.number("capacity_ah", soc.capacityAh)
            json.number("consumed_ah", soc.consumedAh)
            json.number("time_to_go_s", soc.timeToGoSeconds)
            json.string("state", soc.strategyState)
            json.endObject()
        } else if let error = tick.socError {
            json.beginObject("soc")
            json.string("error", error)
            json.endObject()
        }
        if let published = tick.published {
            json.beginObject("published")
            json.number("cvl_v", published.chargeVoltageLimit)
            json.number("ccl_a", published.chargeCurrentLimit)
            json.number("dcl_a", published.dischargeCurrentLimit)
            json.number("soc_percent", published.socPercent)
            json.string("limit_reason", published.limitReason)
            json.integer("bms_cable_alarm", published.bmsCableAlarm)
            json.endObject()
        }
        json.endObject()
        return json.text
    }

    private static func write(_ bank: BankSnapshot, into json: inout JSONWriter) {
        json.beginObject("bank")
        json.number("voltage_v", bank.voltage)
        json.number("current_a", bank.current)
        json.number("power_w", bank.power)
        json.number("temperature_c", bank.temperature)
        json.number("installed_capacity_ah", bank.installedCapacityAh)
        json.number("bms_soc_percent", bank.bmsSocPercent)
        json.number("bms_capacity_ah", bank.bmsCapacityAh)
        json.number("bms_consumed_ah", bank.bmsConsumedAh)
        json.number("bms_time_to_go_s", bank.bmsTimeToGoSeconds)
        json.number("max_cell_voltage_v", bank.maxCellVoltage)
        json.number("min_cell_voltage_v", bank.minCellVoltage)
        json.string("max_cell_id", bank.maxCellId)
        json.string("min_cell_id", bank.minCellId)
        json.integer("nr_blocking_charge", bank.blockingCharge)
        json.integer("nr_blocking_discharge", bank.blockingDischarge)
        json.integer("system_low_soc", bank.systemLowSoc.map { $0 ? 1 : 0 })
        json.endObject()
    }

    private static func write(_ battery: BatterySnapshot, into json: inout JSONWriter) {
        json.beginObject()
        json.string("name", battery.name)
        json.string("service", battery.service)
        json.number("voltage_v", battery.voltage)
        json.number("current_a", battery.current)
        json.number("power_w", battery.power)
        json.number("temperature_c", battery.temperature)
        json.number("soc_percent", battery.socPercent)
        json.number("capacity_ah", battery.capacityAh)
        json.number("installed_capacity_ah", battery.installedCapacityAh)
        json.number("consumed_ah", battery.consumedAh)
        json.number("time_to_go_s", battery.timeToGoSeconds)
        json.number("max_charge_voltage_v", battery.maxChargeVoltage)
        json.number("max_charge_current_a", battery.maxChargeCurrent)
        json.number("max_discharge_current_a", battery.maxDischargeCurrent)
        json.string("charge_mode", battery.chargeMode)
        json.number("voltages_sum_v", battery.voltagesSum)
        json.number("min_cell_voltage_v", battery.minCellVoltage)
        json.number("max_cell_voltage_v", battery.maxCellVoltage)
        json.string("min_cell_id", battery.minCellId)
        json.string("max_cell_id", battery.maxCellId)
        json.integer("nr_blocking_charge", battery.blockingCharge)
        json.integer("nr_blocking_discharge", battery.blockingDischarge)
        json.beginArray("cell_voltages_v")
        for voltage in battery.cellVoltages { json.number(nil, voltage) }
        json.endArray()
        json.endObject()
    }

    private static func write(_ charge: ChargeResult, into json: inout JSONWriter) {
        json.beginObject("charge")
        json.number("cvl_v", charge.chargeVoltageLimit)
        json.number("ccl_a", charge.chargeCurrentLimit)
        json.number("dcl_a", charge.dischargeCurrentLimit)
        json.bool("feed_in_off", charge.feedInMustBeOff)
        json.bool("bank_full", hintValue(charge.bankFull))
        json.bool("bank_empty", hintValue(charge.bankEmpty))
        json.string("limit_reason", charge.limitReason)
        json.string("state", charge.strategyState)
        json.endObject()
    }

    private static func hintValue(_ hint: BankHint) -> Bool? {
        switch hint {
        case .notGiven: return nil
        case .no: return false
        case .yes: return true
        }
    }

    /// "2026-12-06".
    public static func dateText(_ date: CalendarDate) -> String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = "\(value < 0 ? 0 : value)"
            return String(repeating: "0", count: max(0, width - digits.utf8.count)) + digits
        }
        return padded(date.year, 4) + "-" + padded(date.month, 2) + "-" + padded(date.day, 2)
    }

    // MARK: Reading

    /// The header of a trace from its first line; the format and a version this reader knows are required.
    public static func header(from text: String, line: Int = 1) -> Result<TraceHeader, TraceReadError> {
        let value: JSONValue
        switch JSONReader.parse(text) {
        case .success(let parsed): value = parsed
        case .failure(let error): return .failure(TraceReadError(line: line, "not JSON (\(error))"))
        }
        guard value["format"]?.string == TraceHeader.format else {
            return .failure(TraceReadError(line: line, "not a trace: the first line must have \"format\": \"\(TraceHeader.format)\""))
        }
        guard let version = value["version"]?.number, version == version.rounded(), version >= 1 else {
            return .failure(TraceReadError(line: line, "no valid \"version\""))
        }
        guard Int(version) <= TraceHeader.version else {
            return .failure(TraceReadError(line: line, "trace version \(Int(version)); this program reads up to \(TraceHeader.version)"))
        }
        var config: [(key: String, value: String)] = []
        if case .object(let members)? = value["config"] {
            for member in members {
                guard let text = member.value.string else {
                    return .failure(TraceReadError(line: line, "config key \(member.key): the value must be INI text in quotes"))
                }
                config.append((member.key, text))
            }
        }
        return .success(TraceHeader(source: value["source"]?.string ?? "", program: value["program"]?.string ?? "",
                                    chargeStrategy: value["charge_strategy"]?.string,
                                    socStrategy: value["soc_strategy"]?.string, config: config,
                                    note: value["note"]?.string, version: Int(version)))
    }

    /// One tick line. Members a version-1 writer always writes are required; a value may be null.
    public static func tick(from text: String, line: Int) -> Result<TraceTick, TraceReadError> {
        let value: JSONValue
        switch JSONReader.parse(text) {
        case .success(let parsed): value = parsed
        case .failure(let error): return .failure(TraceReadError(line: line, "not JSON (\(error))"))
        }
        do throws(TraceReadError) {
            return .success(try tick(value, line: line))
        } catch {
            return .failure(error)
        }
    }

    private static func tick(_ value: JSONValue, line: Int) throws(TraceReadError) -> TraceTick {
        func required(_ key: String) throws(TraceReadError) -> Double {
            guard let number = value[key]?.number, number.isFinite else {
                throw TraceReadError(line: line, "\"\(key)\" must be a number")
            }
            return number
        }
        let time = try required("t")
        let step = try required("dt")
        guard step >= 0 else { throw TraceReadError(line: line, "\"dt\" must not be negative") }
        guard let dateText = value["date"]?.string, let date = date(dateText) else {
            throw TraceReadError(line: line, "\"date\" must be a date as \"YYYY-MM-DD\"")
        }
        let expected = try required("expected")
        let online = try required("online")
        guard let bankValue = value["bank"], case .object = bankValue else {
            throw TraceReadError(line: line, "\"bank\" must be an object")
        }
        guard let batteryValues = value["batteries"]?.array else {
            throw TraceReadError(line: line, "\"batteries\" must be an array")
        }
        var batteries: [BatterySnapshot] = []
        batteries.reserveCapacity(batteryValues.count)
        for (index, battery) in batteryValues.enumerated() {
            guard case .object = battery else { throw TraceReadError(line: line, "battery \(index + 1) must be an object") }
            batteries.append(try batterySnapshot(battery, index: index, line: line))
        }
        let context = TickContext(timeStepSeconds: step, date: date, batteriesExpected: Int(expected),
                                  bank: bankSnapshot(bankValue), batteries: batteries,
                                  batteriesOnline: Int(online))
        var tick = TraceTick(timeSeconds: time, context: context,
                             onlineCapacityShare: value["capacity_share"]?.number ?? 1)
        if let vetoes = value["vetoes"] {
            tick.vetoes = PackVetoes(chargeBlockedBy: vetoes["charge_blocked_by"]?.string,
                                     dischargeBlockedBy: vetoes["discharge_blocked_by"]?.string,
                                     onlineChargeCurrent: vetoes["online_ccl_a"]?.number,
                                     onlineDischargeCurrent: vetoes["online_dcl_a"]?.number)
        }
        if let dvcc = value["dvcc"] {
            tick.dvcc = DvccUserLimits(maxChargeCurrent: dvcc["max_charge_current_a"]?.number,
                                       maxChargeVoltage: dvcc["max_charge_voltage_v"]?.number)
        }
        if let charge = value["charge"] {
            if let error = charge["error"]?.string {
                tick.chargeError = error
            } else {
                tick.charge = ChargeResult(chargeVoltageLimit: charge["cvl_v"]?.number,
                                           chargeCurrentLimit: charge["ccl_a"]?.number,
                                           dischargeCurrentLimit: charge["dcl_a"]?.number,
                                           feedInMustBeOff: charge["feed_in_off"]?.bool ?? false,
                                           bankFull: hint(charge["bank_full"]), bankEmpty: hint(charge["bank_empty"]),
                                           limitReason: charge["limit_reason"]?.string ?? "",
                                           strategyState: charge["state"]?.string ?? "")
            }
        }
        if let soc = value["soc"] {
            if let error = soc["error"]?.string {
                tick.socError = error
            } else {
                tick.soc = SocResult(socPercent: soc["soc_percent"]?.number, capacityAh: soc["capacity_ah"]?.number,
                                     consumedAh: soc["consumed_ah"]?.number, timeToGoSeconds: soc["time_to_go_s"]?.number,
                                     strategyState: soc["state"]?.string ?? "")
            }
        }
        if let published = value["published"], case .object = published {
            tick.published = PublishedLimits(
                chargeVoltageLimit: published["cvl_v"]?.number, chargeCurrentLimit: published["ccl_a"]?.number,
                dischargeCurrentLimit: published["dcl_a"]?.number, socPercent: published["soc_percent"]?.number,
                limitReason: published["limit_reason"]?.string,
                bmsCableAlarm: published["bms_cable_alarm"]?.number.map { Int($0) })
        }
        return tick
    }

    private static func hint(_ value: JSONValue?) -> BankHint {
        switch value?.bool {
        case .some(true): return .yes
        case .some(false): return .no
        case .none: return .notGiven
        }
    }

    private static func count(_ value: JSONValue?) -> Int? {
        guard let number = value?.number, number.isFinite, number == number.rounded(), abs(number) < 1e9 else { return nil }
        return Int(number)
    }

    private static func bankSnapshot(_ bank: JSONValue) -> BankSnapshot {
        BankSnapshot(voltage: bank["voltage_v"]?.number, current: bank["current_a"]?.number,
                     power: bank["power_w"]?.number, temperature: bank["temperature_c"]?.number,
                     installedCapacityAh: bank["installed_capacity_ah"]?.number,
                     bmsSocPercent: bank["bms_soc_percent"]?.number, bmsCapacityAh: bank["bms_capacity_ah"]?.number,
                     bmsConsumedAh: bank["bms_consumed_ah"]?.number,
                     bmsTimeToGoSeconds: bank["bms_time_to_go_s"]?.number,
                     maxCellVoltage: bank["max_cell_voltage_v"]?.number, minCellVoltage: bank["min_cell_voltage_v"]?.number,
                     maxCellId: bank["max_cell_id"]?.string, minCellId: bank["min_cell_id"]?.string,
                     blockingCharge: count(bank["nr_blocking_charge"]),
                     blockingDischarge: count(bank["nr_blocking_discharge"]),
                     systemLowSoc: count(bank["system_low_soc"]).map { $0 != 0 })
    }

    private static func batterySnapshot(_ battery: JSONValue, index: Int, line: Int) throws(TraceReadError) -> BatterySnapshot {
        var cells: [Double?] = []
        if let values = battery["cell_voltages_v"]?.array {
            cells.reserveCapacity(values.count)
            for cell in values {
                guard cell.isNull || cell.number != nil else {
                    throw TraceReadError(line: line, "battery \(index + 1): a cell voltage must be a number or null")
                }
                cells.append(cell.number)
            }
        }
        return BatterySnapshot(
            name: battery["name"]?.string ?? "battery \(index + 1)", service: battery["service"]?.string ?? "",
            voltage: battery["voltage_v"]?.number, current: battery["current_a"]?.number,
            power: battery["power_w"]?.number, temperature: battery["temperature_c"]?.number,
            socPercent: battery["soc_percent"]?.number, capacityAh: battery["capacity_ah"]?.number,
            installedCapacityAh: battery["installed_capacity_ah"]?.number, consumedAh: battery["consumed_ah"]?.number,
            timeToGoSeconds: battery["time_to_go_s"]?.number,
            maxChargeVoltage: battery["max_charge_voltage_v"]?.number,
            maxChargeCurrent: battery["max_charge_current_a"]?.number,
            maxDischargeCurrent: battery["max_discharge_current_a"]?.number,
            chargeMode: battery["charge_mode"]?.string, voltagesSum: battery["voltages_sum_v"]?.number,
            minCellVoltage: battery["min_cell_voltage_v"]?.number, maxCellVoltage: battery["max_cell_voltage_v"]?.number,
            minCellId: battery["min_cell_id"]?.string, maxCellId: battery["max_cell_id"]?.string,
            blockingCharge: count(battery["nr_blocking_charge"]), blockingDischarge: count(battery["nr_blocking_discharge"]),
            cellVoltages: cells)
    }

    /// "YYYY-MM-DD" with a month and day that exist in that month (leap years included).
    public static func date(_ text: String) -> CalendarDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, parts[1].utf8.count == 2, parts[2].utf8.count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Days in `month` (1...12) of `year`, leap years included.
    public static func daysIn(month: Int, year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
