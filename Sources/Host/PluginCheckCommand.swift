import HostCore
import PluginKit

/// `plugin-check LIB.so`: runs a strategy library's strategies over edge cases in child processes
/// and reports what the daemon would suffer from; the exit status suits CI.
enum PluginCheckCommand {
    static let spec = CommandSpec(
        name: "plugin-check",
        abstract: "Check a strategy plugin library: edge cases in a child process each; exit 0 clean, 1 problems, 2 not loadable.",
        options: [
            .value("strategy", "NAME", help: "Check only this strategy of the library."),
            .value("config", "PATH", help: "A config.ini to run the cases with (default: every key at its default, 2 batteries of 16 cells)."),
            .value("default-config", "PATH", help: "config.default.ini. Default: as for run."),
            .value("timeout", "S", help: "Seconds a case may take before it counts as a hang (default 10)."),
        ],
        positional: PositionalSpec(name: "LIB.so", help: "The plugin library to check."))

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        guard let library = arguments.positional, !library.isEmpty else {
            throw .usage(UsageError("plugin-check needs the library to check: plugin-check LIB.so"))
        }
        let timeout: Double
        do throws(UsageError) {
            timeout = try arguments.double("timeout", default: 10)
        } catch {
            throw .usage(error)
        }
        guard timeout > 0, timeout.isFinite else { throw .usage(UsageError("--timeout must be a positive number of seconds")) }
        let resolved = DaemonPaths.resolve(defaultConfig: arguments.string("default-config"), userConfig: nil,
                                           stateDirectory: nil, pluginDirectory: nil)
        // A path without "/" is still a file here, not a strategy name to look up.
        let path = library.utf8.contains(UInt8(ascii: "/")) ? library : "./" + library
        var check = PluginCheck(libraryPath: path, strategyName: arguments.string("strategy"),
                                defaultConfig: resolved.defaultConfig, userConfig: arguments.string("config"))
        check.timeoutSeconds = timeout
        let report = check.run()
        for line in report.lines { print(line) }
        if report.notLoaded { return 2 }
        return report.problems > 0 ? 1 : 0
    }
}
