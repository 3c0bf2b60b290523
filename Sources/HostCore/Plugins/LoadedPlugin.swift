import PluginAPI
import PluginKit

/// A plugin library that passed the loader's checks.
public final class LoadedPluginLibrary {
    public let path: String
    /// The library's own name, e.g. "BMSCombine".
    public let name: String
    public let abiMajor: UInt32
    public let abiMinor: UInt32
    public let strategies: [LoadedStrategy]

    init(path: String, name: String, abiMajor: UInt32, abiMinor: UInt32, strategies: [LoadedStrategy]) {
        self.path = path
        self.name = name
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.strategies = strategies
    }

    public func strategy(named name: String) -> LoadedStrategy? {
        strategies.first { $0.name == name }
    }
}

/// One strategy of a loaded library: what it says about itself, and a way to make instances.
public final class LoadedStrategy {
    public let name: String
    public let version: String
    public let summary: String
    public let kind: StrategyKind
    public let configKeys: [ConfigKeySpec]
    /// The library file it came from (for messages).
    public let libraryPath: String
    /// The library's descriptor as the loader read it, no further than its declared size: the
    /// functions are called through this copy, never through the library's struct again.
    let descriptor: dab_strategy

    init(name: String, version: String, summary: String, kind: StrategyKind, configKeys: [ConfigKeySpec],
         libraryPath: String, descriptor: dab_strategy) {
        self.name = name
        self.version = version
        self.summary = summary
        self.kind = kind
        self.configKeys = configKeys
        self.libraryPath = libraryPath
        self.descriptor = descriptor
    }

    /// Calls the strategy's create with `services` behind the C host table. A config error has
    /// already been reported through `services.reportConfigError` when this fails with `.config`.
    public func instantiate(services: StrategyHost) -> Result<StrategyInstance, StrategyFailure> {
        StrategyInstance.create(self, services: services)
    }
}

/// Finds a strategy by name and kind among loaded libraries.
public func findStrategy(named name: String, kind: StrategyKind,
                         in libraries: [LoadedPluginLibrary]) -> Result<LoadedStrategy, PluginLoadError> {
    for library in libraries {
        if let strategy = library.strategy(named: name) {
            guard strategy.kind == kind else {
                return .failure(PluginLoadError(
                    path: library.path, "strategy \"\(name)\" is a \(kindName(strategy.kind)) strategy, a \(kindName(kind)) strategy is needed"))
            }
            return .success(strategy)
        }
    }
    let offered = libraries.flatMap { $0.strategies.filter { $0.kind == kind }.map { $0.name } }
    return .failure(PluginLoadError(
        path: name, "no loaded library offers a \(kindName(kind)) strategy of that name"
            + (offered.isEmpty ? "" : " (available: \(offered.joined(separator: ", ")))")))
}

func kindName(_ kind: StrategyKind) -> String {
    kind == .charge ? "charge" : "SoC"
}
