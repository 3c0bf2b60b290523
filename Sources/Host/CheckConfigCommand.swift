import Glibc
import PluginKit
import ArgumentParser
import HostCore

/// `check-config [PATH]`: the effective settings and the chosen strategies, or every error.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a config.ini: print the effective settings and strategies, or every error (exit 1).")

    @Argument(help: "The config.ini to check (default: the one the daemon would read).")
    var path: String?

    @OptionGroup var paths: PathOptions

    func run() throws {
        var resolved = paths.resolved
        if let path { resolved.userConfig = path }
        let (configuration, libraries, loadErrors, problems) = Startup.loadConfiguration(paths: resolved)
        guard let configuration else {
            printError("\(resolved.userConfig): \(problems.count) problem(s):")
            for line in problems { printError("  " + line) }
            throw ExitCode(1)
        }
        print(EffectiveSettingsReport.text(for: configuration.layers), terminator: "")
        switch selectStrategies({ configuration.layers.value(forKey: $0) }) {
        case .failure(let error):
            printError(error.description)
            throw ExitCode(1)
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
            if failed { throw ExitCode(1) }
        }
    }
}

/// `plugins`: the strategies found, with versions and config keys.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List the strategy plugins found, with their versions and config keys.")

    @OptionGroup var paths: PathOptions

    func run() throws {
        let resolved = paths.resolved
        let searchPath = resolved.pluginDirectory.map { [$0] } ?? defaultPluginSearchPath()
        let (libraries, errors) = PluginLoader.loadAll(searchPath: searchPath)
        print("Searched: \(searchPath.joined(separator: ", "))")
        print(renderStrategyListing(libraries, errors: errors), terminator: "")
        if libraries.isEmpty { throw ExitCode(1) }
    }
}

func printError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = Glibc.write(2, &bytes, bytes.count)
    }
}
