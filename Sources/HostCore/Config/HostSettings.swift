import PluginKit

/// The host's own keys, typed and validated. Strategy keys stay raw text in `LayeredConfig`:
/// each strategy validates its own.
public struct HostSettings: Equatable, Sendable {
    // MARK: Hardware
    /// NR_OF_BATTERIES: BMSes to aggregate (>= 2).
    public var numberOfBatteries: Int
    /// NR_OF_CELLS_PER_BATTERY: series cells per battery (>= 2); each BMS must report this many.
    public var cellsPerBattery: Int
    /// NR_OF_MPPTS: solar chargers whose current counts when CURRENT_FROM_VICTRON, the first ones
    /// by bus name; 0 = none; -1 = not set, every one found (see `MpptSelection`).
    public var numberOfMppts: Int

    // MARK: Discovery on D-Bus
    public var batteryServiceName: String
    public var dcloadServiceName: String
    public var batteryProductNamePath: String
    public var batteryProductName: String
    public var batteryInstanceNamePath: String
    /// Empty = there is no Multi/Quattro to read current from.
    public var multiKeyword: String
    public var mpptKeyword: String
    public var smartShuntNameKeyword: String
    public var smartShuntInstanceNamePath: String
    /// SEARCH_TRIALS, READ_TRIALS, UPDATE_INTERVAL_FIND_DEVICES, TIME_BEFORE_RESTART: the Python
    /// program's exit-and-restart fault handling. Parsed so an old config.ini still loads and a bad
    /// value is still reported, but unused: faults are states here (STARTUP_WAIT, STALE_TIMEOUT,
    /// OFFLINE_BLOCK_AFTER; see `ConfigKeyRoles`).
    public var searchTrials: Int
    public var readTrials: Int
    public var findDevicesIntervalSeconds: Double
    public var timeBeforeRestartSeconds: Double
    /// UPDATE_INTERVAL_DATA in s: one tick (read, aggregate, publish) per interval.
    public var dataUpdateIntervalSeconds: Double

    // MARK: Current measurement
    public var currentFromVictron: Bool
    public var canBatteries: Bool
    public var useSmartShunts: SmartShuntSelection
    public var invertSmartShunts: Bool
    public var smartShuntAsBatteryCurrent: Bool
    public var ignoreSmartShuntAbsence: Bool

    // MARK: Strategies
    /// OWN_SOC: the legacy switch between averaged BMS SoC and the own coulomb counter.
    public var ownSoc: Bool
    /// OWN_CHARGE_PARAMETERS: the legacy switch between combining BMS limits and the own algorithm.
    public var ownChargeParameters: Bool
    /// CHARGE_STRATEGY; nil = OWN_CHARGE_PARAMETERS decides.
    public var chargeStrategy: String?
    /// SOC_STRATEGY; nil = OWN_SOC decides.
    public var socStrategy: String?
    /// PLUGIN_DIR; nil = the default directory next to the executable.
    public var pluginDirectory: String?

    // MARK: Guard
    /// MAX_CHARGE_CURRENT in A for the whole bank; the guard never publishes a larger CCL.
    public var maxChargeCurrent: Double
    /// MAX_DISCHARGE_CURRENT in A for the whole bank; the guard never publishes a larger DCL.
    public var maxDischargeCurrent: Double
    /// STALE_TIMEOUT in s: a battery without any update for this long counts as stale
    /// (default 10 s, the BMS driver's own timeout for a silent BMS).
    public var staleTimeoutSeconds: Double
    /// OFFLINE_BLOCK_AFTER in s: with a battery not online this long, CCL and DCL become 0.
    /// Default 60 s: the serialbattery driver raises BmsCable after 60 s itself, and a minute is
    /// short against the minutes-to-hours over which cells leave their safe range.
    public var offlineBlockAfterSeconds: Double
    /// MAX_VALUE_BYTES: the most bytes a watched value (and its text) may take on the bus; a
    /// larger one is an invalid reading, never decoded (default 4096).
    public var maxValueBytes: Int
    /// STARTUP_WAIT in s: how long to wait for all batteries before starting degraded.
    public var startupWaitSeconds: Double

    // MARK: Output
    /// SEND_CELL_VOLTAGES: publish every cell of every battery.
    public var sendCellVoltages: Bool
    public var logLevel: LogLevel
    /// LOG_PERIOD in s; 0 = no periodic summary.
    public var logPeriodSeconds: Int
    /// TRACE_FILE: where the daemon writes, each tick, what its strategies got and gave (a trace
    /// to replay or to send with a problem report); nil = no trace.
    public var traceFile: String?
    /// TRACE_MAX_BYTES: the trace file's size at which it is rotated to TRACE_FILE.1.
    public var traceMaxBytes: Int
    /// EXCLUDED_BATTERIES: batteries (by name, custom name or serial) never aggregated: a pack
    /// under test, a pack in storage.
    public var excludedBatteries: [String]
}

extension HostSettings {
    /// Reads and validates every host key of `config`, collecting all problems before throwing.
    public init(config: LayeredConfig) throws(ConfigError) {
        var reader = SettingsReader(config: config)
        self = HostSettings.read(with: &reader)
        if !reader.problems.isEmpty { throw ConfigError(reader.problems) }
    }

    private static func read(with r: inout SettingsReader) -> HostSettings {
        let currentFromVictron = r.bool("CURRENT_FROM_VICTRON")
        // -1 with CURRENT_FROM_VICTRON is accepted (the Python program refused to start): every
        // solar charger found counts.
        let numberOfMppts = r.int("NR_OF_MPPTS", atLeast: -1)
        return HostSettings(
            numberOfBatteries: r.int("NR_OF_BATTERIES", atLeast: 2, hint: "; set it in config.ini"),
            cellsPerBattery: r.int("NR_OF_CELLS_PER_BATTERY", atLeast: 2, hint: "; set it in config.ini"),
            numberOfMppts: numberOfMppts,
            batteryServiceName: r.text("BATTERY_SERVICE_NAME", allowEmpty: false),
            dcloadServiceName: r.text("DCLOAD_SERVICE_NAME", allowEmpty: false),
            batteryProductNamePath: r.busPath("BATTERY_PRODUCT_NAME_PATH"),
            batteryProductName: r.text("BATTERY_PRODUCT_NAME", allowEmpty: false),
            batteryInstanceNamePath: r.busPath("BATTERY_INSTANCE_NAME_PATH"),
            multiKeyword: r.text("MULTI_KEYWORD", allowEmpty: true),
            mpptKeyword: r.text("MPPT_KEYWORD", allowEmpty: false),
            smartShuntNameKeyword: r.text("SMARTSHUNT_NAME_KEYWORD", allowEmpty: false),
            smartShuntInstanceNamePath: r.busPath("SMARTSHUNT_INSTANCE_NAME_PATH"),
            searchTrials: r.int("SEARCH_TRIALS", atLeast: 1),
            readTrials: r.int("READ_TRIALS", atLeast: 1),
            findDevicesIntervalSeconds: r.seconds("UPDATE_INTERVAL_FIND_DEVICES", allowZero: false),
            timeBeforeRestartSeconds: r.seconds("TIME_BEFORE_RESTART", allowZero: true),
            dataUpdateIntervalSeconds: r.seconds("UPDATE_INTERVAL_DATA", allowZero: false),
            currentFromVictron: currentFromVictron,
            canBatteries: r.bool("CAN_batteries"),
            useSmartShunts: r.smartShunts("USE_SMARTSHUNTS"),
            invertSmartShunts: r.bool("INVERT_SMARTSHUNTS"),
            smartShuntAsBatteryCurrent: r.bool("SMARTSHUNT_AS_BATTERY_CURRENT"),
            ignoreSmartShuntAbsence: r.bool("IGNORE_SMARTSHUNT_ABSENCE"),
            ownSoc: r.bool("OWN_SOC"),
            ownChargeParameters: r.bool("OWN_CHARGE_PARAMETERS"),
            chargeStrategy: r.strategyName("CHARGE_STRATEGY"),
            socStrategy: r.strategyName("SOC_STRATEGY"),
            pluginDirectory: r.optionalText("PLUGIN_DIR"),
            maxChargeCurrent: r.amps("MAX_CHARGE_CURRENT"),
            maxDischargeCurrent: r.amps("MAX_DISCHARGE_CURRENT"),
            staleTimeoutSeconds: r.seconds("STALE_TIMEOUT", allowZero: false),
            offlineBlockAfterSeconds: r.seconds("OFFLINE_BLOCK_AFTER", allowZero: false),
            maxValueBytes: r.int("MAX_VALUE_BYTES", atLeast: 64),
            startupWaitSeconds: r.seconds("STARTUP_WAIT", allowZero: true),
            sendCellVoltages: r.bool("SEND_CELL_VOLTAGES"),
            logLevel: r.logLevel("LOGGING"),
            logPeriodSeconds: r.int("LOG_PERIOD", atLeast: 0),
            traceFile: r.optionalAbsolutePath("TRACE_FILE"),
            traceMaxBytes: r.int("TRACE_MAX_BYTES", atLeast: TraceWriter.minimumBytes),
            excludedBatteries: r.list("EXCLUDED_BATTERIES")
        )
    }
}
