import PluginAPI
import PluginKit

/// Everything start-up produced: the config, and the two strategies created and ready to tick.
public final class PreparedStrategies {
    public let configuration: HostConfiguration
    public let selection: StrategySelection
    public let charge: StrategyInstance
    public let soc: StrategyInstance
    public let libraries: [LoadedPluginLibrary]
    /// Libraries in the search path that failed to load (not fatal unless a chosen one is missing).
    public let pluginWarnings: [PluginLoadError]
    public let stateStore: StateStore

    init(configuration: HostConfiguration, selection: StrategySelection, charge: StrategyInstance,
         soc: StrategyInstance, libraries: [LoadedPluginLibrary], pluginWarnings: [PluginLoadError],
         stateStore: StateStore) {
        self.configuration = configuration
        self.selection = selection
        self.charge = charge
        self.soc = soc
        self.libraries = libraries
        self.pluginWarnings = pluginWarnings
        self.stateStore = stateStore
    }
}

/// Why start-up refused: every problem at once, as lines a person can act on.
public struct StartupFailure: Error, CustomStringConvertible {
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}

/// Start-up: read the config, load the plugins, check every key against what the default file
/// and the loaded strategies know, choose and create the strategies. A bad configuration is the
/// one reason the daemon refuses to run, and then it lists all problems at once.
public enum Startup {
    /// The plugin folders to search: --plugin-dir, then PLUGIN_DIR, then the defaults.
    public static func pluginSearchPath(paths: DaemonPaths, layers: LayeredConfig,
                                        policy: PluginSearchPolicy = .current()) -> [String] {
        if let explicit = paths.pluginDirectory { return [explicit] }
        if let configured = layers.value(forKey: "PLUGIN_DIR"), !configured.isEmpty { return [configured] }
        return policy.defaultFolders
    }

    /// Loads the config files and the libraries of the strategies they choose, without creating
    /// the strategies (for `run`, `check-config` and a reload). Only the chosen strategies' libraries
    /// are opened: their keys are the only strategy keys a config.ini may set.
    public static func loadConfiguration(paths: DaemonPaths, policy: PluginSearchPolicy = .current())
        -> (HostConfiguration?, [LoadedPluginLibrary], [PluginLoadError], [String]) {
        var problems: [String] = []
        // A first pass without the unknown-key check only finds PLUGIN_DIR and the strategy names.
        var firstPass: LayeredConfig?
        do {
            firstPass = try HostConfiguration.load(defaultsPath: paths.defaultConfig, userPath: paths.userConfig,
                                                   strategyKeys: []).layers
        } catch {
            firstPass = rawLayers(paths: paths)
        }
        let searchPath = firstPass.map { pluginSearchPath(paths: paths, layers: $0, policy: policy) } ?? policy.defaultFolders
        var chosen: [String] = []
        if let firstPass, case .success(let selection) = selectStrategies({ firstPass.value(forKey: $0) }) {
            chosen = [selection.charge, selection.soc]
        }
        let (libraries, loadErrors) = PluginLoader.loadSelected(strategyNames: chosen, searchPath: searchPath,
                                                                protectedFolder: policy.requiresProtectedFolder)
        let strategyKeys = libraries.flatMap { $0.strategies.flatMap { $0.configKeys.map { $0.name } } }
        do {
            let configuration = try HostConfiguration.load(defaultsPath: paths.defaultConfig, userPath: paths.userConfig,
                                                           strategyKeys: strategyKeys)
            return (configuration, libraries, loadErrors, problems)
        } catch {
            problems += error.problems.map { $0.description }
            return (nil, libraries, loadErrors, problems)
        }
    }

    /// The whole start-up. `calendar` is injected so tests control the date.
    public static func prepare(paths: DaemonPaths, logger: DaemonLogger,
                               calendar: @escaping () -> CalendarDate = LocalCalendar.today,
                               stateClock: @escaping () -> StateTimestamp = StateTimestamp.systemLocalNow) -> Result<PreparedStrategies, StartupFailure> {
        let (loaded, libraries, loadErrors, configProblems) = loadConfiguration(paths: paths)
        guard let configuration = loaded else { return .failure(StartupFailure(lines: configProblems)) }
        let stateStore = StateStore(directory: paths.stateDirectory, clock: stateClock)
        return instantiate(configuration, libraries: libraries, loadErrors: loadErrors, stateStore: stateStore,
                           logger: logger, calendar: calendar)
    }

    /// Chooses and creates the strategies of an already loaded configuration: at start, on a
    /// reload, and again from the running configuration when a reload fails.
    public static func instantiate(_ configuration: HostConfiguration, libraries: [LoadedPluginLibrary],
                                   loadErrors: [PluginLoadError], stateStore: StateStore, logger: DaemonLogger,
                                   calendar: @escaping () -> CalendarDate) -> Result<PreparedStrategies, StartupFailure> {
        var problems: [String] = []
        let selection: StrategySelection
        switch selectStrategies({ configuration.layers.value(forKey: $0) }) {
        case .success(let chosen): selection = chosen
        case .failure(let error): return .failure(StartupFailure(lines: [error.description]))
        }
        var instances: [StrategyKind: StrategyInstance] = [:]
        for (name, kind) in [(selection.charge, StrategyKind.charge), (selection.soc, StrategyKind.soc)] {
            let strategy: LoadedStrategy
            switch findStrategy(named: name, kind: kind, in: libraries) {
            case .success(let found): strategy = found
            case .failure(let error):
                let key = kind == .charge ? "CHARGE_STRATEGY / OWN_CHARGE_PARAMETERS" : "SOC_STRATEGY / OWN_SOC"
                problems.append("\(key) = \(name): \(error.reasons.joined(separator: "; "))")
                problems += loadErrors.map { "plugin \($0)" }
                continue
            }
            let services = HostStrategyServices(strategyName: name, logger: logger, config: configuration.layers,
                                                stateStore: stateStore, calendar: calendar)
            switch strategy.instantiate(services: services) {
            case .success(let instance): instances[kind] = instance
            case .failure(let failure) where services.configProblems.isEmpty && failure.code != Int32(DAB_ERR_CONFIG):
                // Not the user's config: a fault like any other, so the service still comes up,
                // with safe limits (charge) or an invalid SoC, instead of an exit that takes the BMS away.
                logger.error("strategy \(name) (\(strategy.libraryPath)) failed to start: \(failure.message); running with safe values (CCL = DCL = 0 for a charge strategy)")
                instances[kind] = StrategyInstance.failed(strategy, services: services, reason: failure.message)
            case .failure(let failure):
                if services.configProblems.isEmpty {
                    problems.append("strategy \(name) (\(strategy.libraryPath)) refused to start: \(failure.message)")
                } else {
                    problems += services.configProblems.map { $0.description }
                }
            }
        }
        guard problems.isEmpty, let charge = instances[.charge], let soc = instances[.soc] else {
            return .failure(StartupFailure(lines: problems))
        }
        return .success(PreparedStrategies(configuration: configuration, selection: selection, charge: charge, soc: soc,
                                           libraries: libraries, pluginWarnings: loadErrors, stateStore: stateStore))
    }

    /// The two files layered with no checks, so PLUGIN_DIR can be read even from a bad config.
    private static func rawLayers(paths: DaemonPaths) -> LayeredConfig? {
        guard case .bytes(let defaults) = ConfigFileReader.readFile(path: paths.defaultConfig) else { return nil }
        var user: IniDocument?
        if case .bytes(let bytes) = ConfigFileReader.readFile(path: paths.userConfig) {
            user = IniParser.parse(bytes, file: paths.userConfig)
        }
        return LayeredConfig(defaults: IniParser.parse(defaults, file: paths.defaultConfig), user: user)
    }
}
