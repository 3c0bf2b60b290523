import PluginKit

/// Which strategies a replay runs; nil keeps the configuration's choice.
public struct ReplayChoice: Equatable {
    public var charge: String?
    public var soc: String?

    public init(charge: String? = nil, soc: String? = nil) {
        self.charge = charge
        self.soc = soc
    }

    /// "OwnCharge/OwnSoC" (either part may be empty: "BMSCombine/", "/OwnSoC").
    public static func parse(_ text: String) -> ReplayChoice? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let charge = parts[0].isEmpty ? nil : String(parts[0])
        let soc = parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : nil
        guard charge != nil || soc != nil else { return nil }
        return ReplayChoice(charge: charge, soc: soc)
    }
}

/// Where a replay reads its configuration and plugins, and where it keeps its own files.
public struct ReplayPaths {
    /// config.default.ini.
    public var defaultConfig: String
    /// The user's config.ini to replay with; nil: the keys the trace's header recorded.
    public var userConfig: String?
    public var pluginDirectory: String?
    /// The output folder: each choice gets its config-N.ini and its state folder state-N here.
    public var outputDirectory: String

    public init(defaultConfig: String, userConfig: String?, pluginDirectory: String?, outputDirectory: String) {
        self.defaultConfig = defaultConfig
        self.userConfig = userConfig
        self.pluginDirectory = pluginDirectory
        self.outputDirectory = outputDirectory
    }
}

/// One strategy choice replayed over a trace, offline: the strategies are created as the daemon
/// creates them (from a config.ini, through the plugin loader, with the host's services), on a
/// state folder of their own that starts empty, and each tick runs the daemon's own
/// `StrategyTick` with its degraded-mode policy, on the trace's clock and dates.
public final class ReplaySession {
    public let label: String
    public let selection: StrategySelection
    private let prepared: PreparedStrategies
    private let buffers = TickInputBuffers()
    private var degradedPolicy: DegradedPolicy
    private var limitGuard: LimitGuard
    private let today: ReplayDate
    private var firstTime: Double?
    public private(set) var ticks: [ReplayTick] = []
    /// Ticks whose charge strategy failed or gave values the guard replaced.
    public private(set) var guardedTicks = 0

    /// Creates the strategies of `choice`; the failure lists every problem, as the daemon's start does.
    public static func make(choice: ReplayChoice, index: Int, header: TraceHeader, paths: ReplayPaths,
                            logger: DaemonLogger) -> Result<ReplaySession, StartupFailure> {
        let stateDirectory = paths.outputDirectory + "/state-\(index)"
        let configPath = paths.outputDirectory + "/config-\(index).ini"
        if let problem = ReplayConfig.prepareStateDirectory(stateDirectory) {
            return .failure(StartupFailure(lines: [problem]))
        }
        switch ReplayConfig.write(choice: choice, header: header, userConfig: paths.userConfig, to: configPath) {
        case .failure(let error): return .failure(StartupFailure(lines: [error.description]))
        case .success: break
        }
        let daemonPaths = DaemonPaths(defaultConfig: paths.defaultConfig, userConfig: configPath,
                                      stateDirectory: stateDirectory, pluginDirectory: paths.pluginDirectory)
        let (loaded, libraries, loadErrors, problems) = Startup.loadConfiguration(paths: daemonPaths)
        guard let configuration = loaded else { return .failure(StartupFailure(lines: problems)) }
        let today = ReplayDate()
        let store = StateStore(directory: stateDirectory, clock: StateTimestamp.systemLocalNow)
        switch Startup.instantiate(configuration, libraries: libraries, loadErrors: loadErrors, stateStore: store,
                                   logger: logger, calendar: { today.date }) {
        case .failure(let failure): return .failure(failure)
        case .success(let prepared):
            let label = prepared.selection.charge + " + " + prepared.selection.soc
            return .success(ReplaySession(label: label, prepared: prepared, today: today))
        }
    }

    private init(label: String, prepared: PreparedStrategies, today: ReplayDate) {
        self.label = label
        self.prepared = prepared
        self.selection = prepared.selection
        self.today = today
        degradedPolicy = DegradedPolicy(offlineBlockAfterSeconds: prepared.configuration.settings.offlineBlockAfterSeconds)
        limitGuard = LimitGuard(configuration: prepared.configuration)
    }

    /// Runs one traced tick; returns what this choice would have published.
    @discardableResult
    public func run(_ tick: TraceTick) -> (row: ReplayTick, outcome: StrategyTick.Outcome) {
        let start = firstTime ?? tick.timeSeconds
        firstTime = start
        today.date = tick.context.date
        let context = tick.context
        let status = degradedPolicy.evaluate(expected: context.batteriesExpected, online: context.batteriesOnline,
                                             now: tick.timeSeconds)
        let outcome = StrategyTick.run(charge: prepared.charge, soc: prepared.soc, buffers: buffers, context: context,
                                       status: status, onlineCapacityShare: tick.onlineCapacityShare,
                                       vetoes: tick.vetoes, dvcc: tick.dvcc, limitGuard: &limitGuard)
        _ = prepared.stateStore.flush()
        if outcome.limits.internalFailureAlarm != 0 { guardedTicks += 1 }
        let feedInOff: Bool
        if case .success(let result) = outcome.charge { feedInOff = result.feedInMustBeOff } else { feedInOff = false }
        let row = ReplayTick(timeSeconds: tick.timeSeconds - start, chargeVoltageLimit: outcome.limits.chargeVoltageLimit,
                             chargeCurrentLimit: outcome.limits.chargeCurrentLimit,
                             dischargeCurrentLimit: outcome.limits.dischargeCurrentLimit,
                             socPercent: outcome.soc?.socPercent, minCellVoltage: context.bank.minCellVoltage,
                             maxCellVoltage: context.bank.maxCellVoltage, bankCurrent: context.bank.current,
                             limitReason: outcome.limits.reason, feedInOff: feedInOff)
        ticks.append(row)
        return (row, outcome)
    }

    /// Lets the strategies save their state (into this session's folder) and end.
    public func finish() {
        prepared.charge.destroy()
        prepared.soc.destroy()
        _ = prepared.stateStore.flush()
    }
}

/// The calendar date the replay's strategies see: the date of the tick being replayed.
final class ReplayDate {
    var date = CalendarDate(year: 2000, month: 1, day: 1)
}
