import CSystem
import PluginKit

/// `plugin-check`: loads a library the way the daemon does and runs each of its strategies over
/// the edge cases of `PluginCheckCase`, each case in a child process, so that a crash or a hang is
/// reported with the case and tick it happened at. What counts as a problem (exit status 1):
/// a crash, a hang, an error on valid input, a NaN, missing, negative or impossible output.
/// Warnings (exit status 0): limits above the maxima config.ini sets (the host caps them) or far
/// above the BMSes' own limits, state written every tick, no limit reason, no SoC. Notes: no
/// full or empty hint, state written, the time per tick.
public struct PluginCheck {
    public var libraryPath: String
    /// Only this strategy of the library; nil: every one.
    public var strategyName: String?
    /// config.default.ini, and the user's config.ini (nil: the defaults alone, with
    /// NR_OF_BATTERIES = 2 and NR_OF_CELLS_PER_BATTERY = 16).
    public var defaultConfig: String
    public var userConfig: String?
    public var timeoutSeconds: Double = 10
    /// Ticks of the timed case.
    public var longRunTicks = 1000

    public init(libraryPath: String, strategyName: String?, defaultConfig: String, userConfig: String?) {
        self.libraryPath = libraryPath
        self.strategyName = strategyName
        self.defaultConfig = defaultConfig
        self.userConfig = userConfig
    }

    /// What the check found, in the order printed.
    public struct Report {
        public var lines: [String] = []
        public var problems = 0
        public var warnings = 0
        /// The library could not be loaded (exit status 2).
        public var notLoaded = false
    }

    public func run() -> Report {
        var report = Report()
        // Loading runs the library's own initialisers: first in a child, so that one that crashes
        // is reported; then here, which is safe once the child got through.
        let (loadLines, loadEnd) = ChildProcessRun.run(timeoutSeconds: timeoutSeconds) { write in
            switch PluginLoader.load(path: libraryPath) {
            case .success: write("D")
            case .failure(let error): write("P \(error)")
            }
        }
        guard loadEnd == .exited(0), loadLines.last == "D" else {
            report.notLoaded = true
            let why = loadLines.first.map { String($0.dropFirst(2)) } ?? describe(loadEnd, during: "loading")
            report.lines.append("\(libraryPath): cannot be loaded: \(why)")
            return report
        }
        let library: LoadedPluginLibrary
        switch PluginLoader.load(path: libraryPath) {
        case .success(let loaded): library = loaded
        case .failure(let error):
            report.notLoaded = true
            report.lines.append("\(error)")
            return report
        }
        let layers: (user: LayeredConfig, defaults: LayeredConfig)
        switch configLayers() {
        case .success(let found): layers = found
        case .failure(let error):
            report.notLoaded = true
            report.lines.append(error.description)
            return report
        }
        report.lines.append("\(libraryPath): library \"\(library.name)\", plugin ABI \(library.abiMajor).\(library.abiMinor), \(library.strategies.count) strateg\(library.strategies.count == 1 ? "y" : "ies")")
        let chosen = library.strategies.filter { strategyName == nil || $0.name == strategyName }
        if chosen.isEmpty {
            report.notLoaded = true
            report.lines.append("no strategy named \(strategyName ?? "") in this library")
            return report
        }
        for strategy in chosen { check(strategy, layers: layers, into: &report) }
        report.lines.append(report.problems == 0
            ? "passed: no problems, \(report.warnings) warning(s)"
            : "FAILED: \(report.problems) problem(s), \(report.warnings) warning(s)")
        return report
    }

    private func check(_ strategy: LoadedStrategy, layers: (user: LayeredConfig, defaults: LayeredConfig),
                       into report: inout Report) {
        report.lines.append("\(strategy.name) (\(strategy.kind == .charge ? "charge" : "SoC") strategy \(strategy.version))")
        let settings = ConfigNumbers(layers.user)
        var hints: Set<String> = []
        var timing: String?
        var stateWrites: [String: (writes: Int, ticks: Int)] = [:]
        for check in PluginCheckCase.all(cellsPerBattery: settings.cellsPerBattery, expected: settings.batteries,
                                         longRunTicks: longRunTicks) {
            let config = check.usesDefaultConfig ? layers.defaults : layers.user
            let numbers = ConfigNumbers(config)
            let (lines, end) = ChildProcessRun.run(timeoutSeconds: timeoutSeconds) { write in
                PluginCheckCaseRun(strategy: strategy, check: check, config: config, cellsPerBattery: numbers.cellsPerBattery,
                                   maximumChargeCurrent: numbers.maximumChargeCurrent,
                                   maximumDischargeCurrent: numbers.maximumDischargeCurrent, report: write).run()
            }
            var findings: [String] = []
            var lastTick = "create"
            var finished = false
            for line in lines {
                let body = String(line.dropFirst(2))
                switch line.first {
                case "P":
                    findings.append("FAIL  \(check.name): \(body)")
                    report.problems += 1
                case "W":
                    findings.append("WARN  \(check.name): \(body)")
                    report.warnings += 1
                case "I": findings.append("note  \(check.name): \(body)")
                case "T": lastTick = body
                case "H": hints.insert(body)
                case "S":
                    let parts = body.split(separator: " ")
                    if parts.count == 3, let writes = Int(parts[1]), let ticks = Int(parts[2]) {
                        let old = stateWrites[String(parts[0])] ?? (0, 0)
                        stateWrites[String(parts[0])] = (old.writes + writes, old.ticks + ticks)
                    }
                case "M":
                    if check.ticks.count >= 100 {
                        let parts = body.split(separator: " ")
                        if parts.count == 2 {
                            timing = "time per tick: median \(parts[0]) µs, slowest \(parts[1]) µs (\(check.name))"
                        }
                    }
                case "D": finished = true
                default: break
                }
            }
            if !finished {
                let place = lastTick == "destroy" ? "in destroy()" : (lastTick == "create" ? "in create()" : "at tick \(lastTick)")
                findings.append("FAIL  \(check.name): \(describe(end, during: place))")
                report.problems += 1
            }
            report.lines.append(findings.isEmpty ? "  ok    \(check.name)" : findings.map { "  " + $0 }.joined(separator: "\n"))
        }
        if strategy.kind == .charge {
            for hint in ["full", "empty"] where !hints.contains(hint) {
                report.lines.append("  note  gives no bank-\(hint) hint (-1): a coulomb-counting SoC strategy must find \(hint) by itself (OwnSoC then uses MAX_CELL_VOLTAGE_SOC_\(hint == "full" ? "FULL" : "EMPTY" ))")
            }
        }
        for key in stateWrites.keys.sorted() {
            let counts = stateWrites[key] ?? (0, 0)
            if counts.ticks >= 100, counts.writes * 2 > counts.ticks {
                report.lines.append("  WARN  state \"\(key)\" written on \(counts.writes) of \(counts.ticks) ticks: each write is a file written to the device's flash")
                report.warnings += 1
            } else {
                report.lines.append("  note  state \"\(key)\" written \(counts.writes) time(s) in \(counts.ticks) ticks, through the host services")
            }
        }
        if let timing { report.lines.append("  " + timing) }
    }

    private func describe(_ end: ChildProcessRun.End, during place: String) -> String {
        switch end {
        case .timedOut:
            return "no answer within \(Int(timeoutSeconds)) s \(place): it hangs (the daemon's tick would stop with it)"
        case .signal(let number):
            return "crashed with signal \(number) (\(String(cString: strsignal(number)))) \(place): it would take the daemon down"
        case .exited(let code):
            return "the process ended with status \(code) \(place) (exit() called in a plugin ends the daemon)"
        }
    }

    /// The user's layers (config.default.ini under --config, or under the built-in minimal
    /// config.ini), and the defaults alone for the "every key at its default" case.
    private func configLayers() -> Result<(user: LayeredConfig, defaults: LayeredConfig), PluginCheckError> {
        guard case .bytes(let defaultBytes) = ConfigFileReader.readFile(path: defaultConfig) else {
            return .failure(PluginCheckError("\(defaultConfig): cannot be read (give --default-config)"))
        }
        let defaults = IniParser.parse(defaultBytes, file: defaultConfig)
        let minimal = IniParser.parse("[DEFAULT]\nNR_OF_BATTERIES = 2\nNR_OF_CELLS_PER_BATTERY = 16\n",
                                      file: "(plugin-check: every key at its default)")
        var user = minimal
        if let userConfig {
            guard case .bytes(let bytes) = ConfigFileReader.readFile(path: userConfig) else {
                return .failure(PluginCheckError("\(userConfig): cannot be read"))
            }
            user = IniParser.parse(bytes, file: userConfig)
        }
        return .success((LayeredConfig(defaults: defaults, user: user), LayeredConfig(defaults: defaults, user: minimal)))
    }
}

/// The few numbers of a config the check needs, read leniently (a bad value falls back to the
/// usual one: the check is about the plugin, check-config is about the file).
struct ConfigNumbers {
    var batteries = 2
    var cellsPerBattery = 16
    /// Where config.ini sets them: the guard caps only then (their defaults are OwnCharge's scale).
    var maximumChargeCurrent = Double.infinity
    var maximumDischargeCurrent = Double.infinity

    init(_ config: LayeredConfig) {
        if let text = config.value(forKey: "NR_OF_BATTERIES"), let value = Int(text), value >= 1, value <= 64 { batteries = value }
        if let text = config.value(forKey: "NR_OF_CELLS_PER_BATTERY"), let value = Int(text), value >= 1, value <= 64 {
            cellsPerBattery = value
        }
        func userValue(_ key: String) -> Double? {
            guard let setting = config.setting(forKey: key), setting.isOverride,
                  let value = DecimalText.parse(setting.value), value >= 0 else { return nil }
            return value
        }
        maximumChargeCurrent = userValue("MAX_CHARGE_CURRENT") ?? .infinity
        maximumDischargeCurrent = userValue("MAX_DISCHARGE_CURRENT") ?? .infinity
    }
}

public struct PluginCheckError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
