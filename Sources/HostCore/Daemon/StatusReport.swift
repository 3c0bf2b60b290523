import VeDbus

/// A readable view of the aggregate and the batteries behind it, for `status` and the demo.
/// It works from values read over the bus, so it shows what Victron's system sees.
public enum StatusReport {
    /// One battery as the bus shows it.
    public struct BatteryLine {
        public var service: String
        public var values: [String: DBusValue]
        public init(service: String, values: [String: DBusValue]) {
            self.service = service
            self.values = values
        }
    }

    public static func render(aggregate: [String: DBusValue]?, batteries: [BatteryLine]) -> String {
        var lines: [String] = []
        if let values = aggregate {
            func text(_ path: String, _ decimals: Int, _ unit: String) -> String {
                guard let number = values[path]?.number else { return "---" }
                return TextFormat.fixedPoint(number, decimals: decimals) + unit
            }
            let name = values["/CustomName"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? AggregateService.defaultCustomName
            lines.append("\(AggregateService.serviceName)  (\(name))")
            lines.append("  Voltage \(pad(text("/Dc/0/Voltage", 2, " V")))  Current \(pad(text("/Dc/0/Current", 2, " A")))  Power \(pad(text("/Dc/0/Power", 0, " W")))  SoC \(pad(text("/Soc", 1, " %")))")
            lines.append("  CVL \(pad(text("/Info/MaxChargeVoltage", 2, " V")))  CCL \(pad(text("/Info/MaxChargeCurrent", 1, " A")))  DCL \(pad(text("/Info/MaxDischargeCurrent", 1, " A")))  Capacity \(text("/Capacity", 0, " Ah")) of \(text("/InstalledCapacity", 0, " Ah"))")
            lines.append("  Cells \(text("/System/MinCellVoltage", 3, " V")) (\(values["/System/MinVoltageCellId"]?.string ?? "---")) .. \(text("/System/MaxCellVoltage", 3, " V")) (\(values["/System/MaxVoltageCellId"]?.string ?? "---")), diff \(text("/Voltages/Diff", 3, " V"))")
            let online = values["/Batteries/Online"]?.integer.map(String.init) ?? "---"
            let expected = values["/Batteries/Expected"]?.integer.map(String.init) ?? "---"
            lines.append("  Batteries online \(online) of \(expected): \(values["/Batteries/State"]?.string ?? "---")")
            lines.append("  Limits: \(values["/Info/LimitReason"]?.string ?? "---")")
            lines.append("  Strategies: \(values["/Info/ChargeStrategy"]?.string ?? "---") [\(values["/Info/ChargeStrategyState"]?.string ?? "")], \(values["/Info/SocStrategy"]?.string ?? "---") [\(values["/Info/SocStrategyState"]?.string ?? "")]")
            let raised = AggregatePath.allCases.filter { $0.path.hasPrefix("/Alarms/") && (values[$0.path]?.integer ?? 0) > 0 }
            if !raised.isEmpty {
                lines.append("  Alarms: " + raised.map { "\($0.path.dropFirst(8))=\(values[$0.path]?.integer ?? 0)" }.joined(separator: " "))
            }
        } else {
            lines.append("\(AggregateService.serviceName): not on the bus")
        }
        lines.append("")
        lines.append("  Battery                                   Voltage    Current    SoC     CVL       CCL      DCL      min/max cell")
        for battery in batteries {
            let v = battery.values
            func text(_ path: String, _ decimals: Int) -> String {
                v[path]?.number.map { TextFormat.fixedPoint($0, decimals: decimals) } ?? "---"
            }
            let name = v["/Serial"]?.string ?? v["/CustomName"]?.string ?? ""
            let label = String((battery.service.replacingPrefix("com.victronenergy.battery.") + " " + name).prefix(40))
            lines.append("  \(pad(label, 40))  \(pad(text("/Dc/0/Voltage", 2) + " V", 9))  \(pad(text("/Dc/0/Current", 2) + " A", 9))  \(pad(text("/Soc", 1) + "%", 6))  \(pad(text("/Info/MaxChargeVoltage", 2) + " V", 8))  \(pad(text("/Info/MaxChargeCurrent", 1) + " A", 7))  \(pad(text("/Info/MaxDischargeCurrent", 1) + " A", 7))  \(text("/System/MinCellVoltage", 3))/\(text("/System/MaxCellVoltage", 3)) V")
        }
        if batteries.isEmpty { lines.append("  (no battery services)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int = 9) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
