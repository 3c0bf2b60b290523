import PluginKit
import HostCore

/// `check-config [PATH]`: the effective settings, what each key set in config.ini does here, and
/// the chosen strategies; or every error.
enum CheckConfigCommand {
    static let spec = CommandSpec(
        name: "check-config",
        abstract: "Check a config.ini: print the effective settings and strategies, or every error (exit 1).",
        options: PathOptions.specs,
        positional: PositionalSpec(name: "PATH", help: "The config.ini to check (default: the one the daemon would read)."))

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        var resolved = PathOptions.resolved(arguments)
        if let path = arguments.positional { resolved.userConfig = path }
        let (configuration, libraries, loadErrors, problems) = Startup.loadConfiguration(paths: resolved)
        guard let configuration else {
            printError("\(resolved.userConfig): \(problems.count) problem(s):")
            for line in problems { printError("  " + line) }
            return ExitStatus.failure
        }
        let selected = selectStrategies({ configuration.layers.value(forKey: $0) })
        let chosen: StrategySelection?
        if case .success(let selection) = selected { chosen = selection } else { chosen = nil }
        print(EffectiveSettingsReport.text(for: configuration.layers,
                                           strategies: ReportedStrategy.all(in: libraries, selection: chosen)),
              terminator: "")
        switch selected {
        case .failure(let error):
            printError(error.description)
            return ExitStatus.failure
        case .success(let selection):
            var failed = false
            print("")
            for (name, kind) in [(selection.charge, StrategyKind.charge), (selection.soc, StrategyKind.soc)] {
                switch findStrategy(named: name, kind: kind, in: libraries) {
                case .success(let strategy):
                    print("; \(kind == .charge ? "charge" : "SoC") strategy: \(strategy.name) \(strategy.version) from \(strategy.libraryPath)")
                case .failure(let error):
                    printError("\(kind == .charge ? "charge" : "SoC") strategy \(name): \(error.reasons.joined(separator: "; "))")
                    failed = true
                }
            }
            for error in loadErrors { printError("plugin: \(error)") }
            return failed ? ExitStatus.failure : 0
        }
    }
}

/// `plugins`: the strategies found, with versions and config keys.
enum PluginsCommand {
    static let spec = CommandSpec(
        name: "plugins", abstract: "List the strategy plugins found, with their versions and config keys.",
        options: PathOptions.specs)

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        let resolved = PathOptions.resolved(arguments)
        let policy = PluginSearchPolicy.current()
        let searchPath = resolved.pluginDirectory.map { [$0] } ?? policy.defaultFolders
        let (libraries, errors) = PluginLoader.loadAll(searchPath: searchPath, protectedFolder: policy.requiresProtectedFolder)
        print("Searched: \(searchPath.joined(separator: ", "))")
        print(renderStrategyListing(libraries, errors: errors), terminator: "")
        return libraries.isEmpty ? ExitStatus.failure : 0
    }
}
