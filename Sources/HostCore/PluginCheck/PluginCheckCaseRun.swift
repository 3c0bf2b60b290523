import PluginKit
import VeDbus

/// One strategy through one case, in the child process `plugin-check` forks for it: creates an
/// instance, runs the ticks, destroys it, and writes what it found as lines on `report`:
/// "P text" a problem, "W text" a warning, "I text" a note, "T n" before tick n (so a crash can
/// be placed), "H full" / "H empty" a hint given, "S key writes" state written, "M median max" the
/// time per tick in µs, "D" done.
struct PluginCheckCaseRun {
    let strategy: LoadedStrategy
    let check: PluginCheckCase
    let config: LayeredConfig
    let cellsPerBattery: Int
    /// MAX_CHARGE_CURRENT and MAX_DISCHARGE_CURRENT where the config.ini sets them (the host caps
    /// at them then); infinity where it does not.
    let maximumChargeCurrent: Double
    let maximumDischargeCurrent: Double
    let report: (String) -> Void

    func run() {
        let host = PluginCheckHost(config: config)
        let instance: StrategyInstance
        switch strategy.instantiate(services: host) {
        case .success(let made): instance = made
        case .failure(let failure):
            let details = host.configProblems.isEmpty ? "" : " (" + host.configProblems.joined(separator: "; ") + ")"
            report("P create() failed: \(failure.message)\(details)")
            report("D")
            return
        }
        let buffers = TickInputBuffers()
        let sampleCharge = ChargeResult(chargeVoltageLimit: 3.45 * Double(cellsPerBattery), chargeCurrentLimit: 50,
                                        dischargeCurrentLimit: 100, bankFull: .no, bankEmpty: .no,
                                        limitReason: "plugin-check", strategyState: "")
        var durations: [Double] = []
        durations.reserveCapacity(check.ticks.count)
        var reported: Set<String> = []
        func once(_ line: String) {
            // Each kind of finding once per case, with the first tick it happened on.
            let kind = String(line.prefix { $0 != ":" })
            if reported.insert(kind).inserted { report(line) }
        }
        for (index, context) in check.ticks.enumerated() {
            host.date = context.date
            report("T \(index + 1)")
            var input = context
            if strategy.kind == .soc { input.charge = sampleCharge }
            let pointer = buffers.fill(input)
            let started = MonotonicClock.now()
            switch strategy.kind {
            case .charge:
                let outcome = instance.tickCharge(pointer)
                durations.append(MonotonicClock.now() - started)
                switch outcome {
                case .success(let result): checkCharge(result, context: context, tick: index + 1, once: once)
                case .failure(let failure): checkError(failure, tick: index + 1, once: once)
                }
            case .soc:
                let outcome = instance.tickSoc(pointer)
                durations.append(MonotonicClock.now() - started)
                switch outcome {
                case .success(let result): checkSoc(result, tick: index + 1, once: once)
                case .failure(let failure): checkError(failure, tick: index + 1, once: once)
                }
            }
        }
        report("T destroy")
        instance.destroy()
        for key in host.writes.keys.sorted() { report("S \(key) \(host.writes[key] ?? 0) \(check.ticks.count)") }
        if !durations.isEmpty {
            let sorted = durations.sorted()
            report("M \(Int((sorted[sorted.count / 2] * 1e6).rounded())) \(Int(((sorted.last ?? 0) * 1e6).rounded()))")
        }
        report("D")
    }

    private func checkError(_ failure: StrategyFailure, tick: Int, once: (String) -> Void) {
        guard !check.allowsError || failure.kind == .internal else { return }
        once("P tick \(tick): returned an error on valid input (\(failure.message)); the host would publish CCL = DCL = 0")
    }

    private func checkCharge(_ result: ChargeResult, context: TickContext, tick: Int, once: (String) -> Void) {
        let range = (Double(cellsPerBattery) * LimitGuard.cellVoltageFloor)...(Double(cellsPerBattery) * LimitGuard.cellVoltageCeiling)
        if let volts = result.chargeVoltageLimit {
            if !range.contains(volts) {
                once("P CVL impossible: tick \(tick) gave \(text(volts)) V, outside \(text(range.lowerBound))...\(text(range.upperBound)) V for \(cellsPerBattery) cells")
            }
        } else {
            once("P CVL NaN or not given: tick \(tick)")
        }
        // The BMSes' own limits together: a strategy far above them lets through what no BMS allows.
        let bmsCharge = context.batteries.reduce(0.0) { $0 + ($1.maxChargeCurrent ?? 0) }
        let bmsDischarge = context.batteries.reduce(0.0) { $0 + ($1.maxDischargeCurrent ?? 0) }
        for (label, value, maximum, key, bms) in [
            ("CCL", result.chargeCurrentLimit, maximumChargeCurrent, "MAX_CHARGE_CURRENT", bmsCharge),
            ("DCL", result.dischargeCurrentLimit, maximumDischargeCurrent, "MAX_DISCHARGE_CURRENT", bmsDischarge),
        ] {
            guard let amps = value else {
                once("P \(label) NaN or not given: tick \(tick)")
                continue
            }
            if !amps.isFinite {
                once("P \(label) not finite: tick \(tick)")
            } else if amps < 0 {
                once("P \(label) negative: tick \(tick) gave \(text(amps)) A")
            } else if amps > maximum {
                once("W \(label) above \(key): tick \(tick) gave \(text(amps)) A, config.ini sets \(text(maximum)) A (the host caps it there)")
            } else if bms > 0, amps > 10 * bms {
                once("W \(label) implausible: tick \(tick) gave \(text(amps)) A, more than ten times the BMSes' own limits together (\(text(bms)) A)")
            }
        }
        if result.bankFull != .notGiven { once("H full") }
        if result.bankEmpty != .notGiven { once("H empty") }
        if result.limitReason.isEmpty { once("W no limit reason: tick \(tick) (users read it in /Info/LimitReason)") }
    }

    private func checkSoc(_ result: SocResult, tick: Int, once: (String) -> Void) {
        guard let soc = result.socPercent else {
            once("W no state of charge: tick \(tick) (the host publishes /Soc as invalid)")
            return
        }
        if !(0...100).contains(soc) {
            once("P SoC impossible: tick \(tick) gave \(text(soc)) %, outside 0...100 (the host publishes it as invalid)")
        }
        if let capacity = result.capacityAh, capacity < 0 { once("P capacity negative: tick \(tick) gave \(text(capacity)) Ah") }
        if let consumed = result.consumedAh, consumed > 0 { once("P consumed Ah positive: tick \(tick) gave \(text(consumed)) Ah (Victron counts it <= 0)") }
        if let seconds = result.timeToGoSeconds, seconds < 0 { once("P time to go negative: tick \(tick)") }
    }

    private func text(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        return abs(value) >= 1e7 ? "\(Int(value))" : TextFormat.fixedPoint(value, decimals: 2)
    }
}
