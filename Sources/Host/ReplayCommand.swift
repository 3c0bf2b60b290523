import CSystem
import HostCore
import PluginKit
import VeDbus

/// `replay`: runs strategy plugins over a recorded trace, offline and as fast as the CPU allows.
enum ReplayCommand {
    static let spec = CommandSpec(
        name: "replay", abstract: "Run strategies over a trace offline: replay.csv and a plot, replay.svg.",
        options: [
            .value("trace", "FILE", help: "The trace to replay (from record, TRACE_FILE or the simulator)."),
            .value("out", "DIR", help: "Folder for replay.csv, replay.svg and the strategies' own state (created)."),
            .value("config", "PATH", help: "config.ini to replay with. Default: the keys the trace recorded."),
            .value("default-config", "PATH", help: "config.default.ini. Default: as for run."),
            .value("plugin-dir", "PATH", help: "Folder of the strategy plugins. Default: as for run."),
            .value("charge-strategy", "NAME", help: "The charge strategy to run. Default: the configuration's."),
            .value("soc-strategy", "NAME", help: "The SoC strategy to run. Default: the configuration's."),
            .value("compare", "CHARGE/SOC", help: "A second choice on the same plot (dashed), e.g. BMSCombine/BMSAverage; either part may be empty."),
            .flag("verbose", help: "Show the strategies' log lines (warnings and errors are shown anyway)."),
        ])

    static func run(_ arguments: ParsedArguments) throws(CommandError) -> Int32 {
        guard let trace = arguments.string("trace"), !trace.isEmpty else { throw .usage(UsageError("replay needs --trace FILE")) }
        guard let out = arguments.string("out"), !out.isEmpty else { throw .usage(UsageError("replay needs --out DIR")) }
        var choices = [ReplayChoice(charge: arguments.string("charge-strategy"), soc: arguments.string("soc-strategy"))]
        if let compare = arguments.string("compare") {
            guard let second = ReplayChoice.parse(compare) else {
                throw .usage(UsageError("--compare \(compare): expected CHARGE/SOC, e.g. BMSCombine/BMSAverage"))
            }
            choices.append(second)
        }
        // The same defaults as run: config.default.ini and the plugin folder found as the daemon finds them.
        let resolved = DaemonPaths.resolve(defaultConfig: arguments.string("default-config"), userConfig: nil,
                                           stateDirectory: out, pluginDirectory: arguments.string("plugin-dir"))
        let paths = ReplayPaths(defaultConfig: resolved.defaultConfig, userConfig: arguments.string("config"),
                                pluginDirectory: resolved.pluginDirectory, outputDirectory: out)
        let logger = DaemonLogger(level: arguments.flag("verbose") ? .info : .warning)
        let started = MonotonicClock.now()
        switch ReplayJob(tracePath: trace, paths: paths, choices: choices).run(logger: logger) {
        case .failure(let error):
            printError("error: \(error)")
            return ExitStatus.failure
        case .success(let summary):
            let elapsed = MonotonicClock.now() - started
            print("\(summary.ticks) ticks (\(TextFormat.fixedPoint(summary.traceSeconds / 3600, decimals: 2)) h of trace) replayed in \(TextFormat.fixedPoint(elapsed, decimals: 2)) s")
            for run in summary.runs {
                print("  \(run.label): \(run.guardedTicks) ticks made safe by the guard (failed or unusable limits)")
            }
            for file in summary.files { print("  wrote \(file)") }
            return 0
        }
    }
}
