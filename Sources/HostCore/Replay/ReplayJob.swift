import CSystem
import PluginKit

/// A whole replay: reads a trace line by line, runs one or two strategy choices over every tick,
/// and writes replay.csv (and replay-compare.csv), replay.svg and the choices' state folders.
public struct ReplayJob {
    public var tracePath: String
    public var paths: ReplayPaths
    /// One choice, or two to compare (the second dashed on the plot).
    public var choices: [ReplayChoice]

    public init(tracePath: String, paths: ReplayPaths, choices: [ReplayChoice]) {
        self.tracePath = tracePath
        self.paths = paths
        self.choices = choices
    }

    public struct Summary {
        public var ticks: Int
        /// Each choice's label, and its ticks the guard had to make safe (a failed or unusable charge result).
        public var runs: [(label: String, guardedTicks: Int)]
        public var files: [String]
        /// Simulated seconds the trace spans.
        public var traceSeconds: Double
    }

    public func run(logger: DaemonLogger) -> Result<Summary, ReplayJobError> {
        let reader: TraceFileReader
        switch TraceFileReader.open(tracePath) {
        case .success(let opened): reader = opened
        case .failure(let error): return .failure(ReplayJobError(error.problem))
        }
        guard let first = reader.nextLine() else { return .failure(ReplayJobError("\(tracePath): empty, not a trace")) }
        let header: TraceHeader
        switch first.flatMap({ TraceCoding.header(from: $0, line: reader.lineNumber) }) {
        case .success(let read): header = read
        case .failure(let error): return .failure(ReplayJobError("\(tracePath): \(error)"))
        }
        if mkdir(paths.outputDirectory, 0o755) != 0, csystem_errno() != EEXIST {
            return .failure(ReplayJobError("\(paths.outputDirectory): cannot be created (\(String(cString: strerror(csystem_errno())))))"))
        }
        var sessions: [ReplaySession] = []
        for (index, choice) in choices.enumerated() {
            switch ReplaySession.make(choice: choice, index: index + 1, header: header, paths: paths, logger: logger) {
            case .success(let session): sessions.append(session)
            case .failure(let failure):
                return .failure(ReplayJobError("strategies \(describe(choice)) cannot start:\n  "
                                               + failure.lines.joined(separator: "\n  ")))
            }
        }
        var csvFiles: [OutputFile] = []
        for index in sessions.indices {
            let name = paths.outputDirectory + (index == 0 ? "/replay.csv" : "/replay-compare.csv")
            switch OutputFile.create(name) {
            case .success(let file):
                file.write(ReplayCSV.header)
                csvFiles.append(file)
            case .failure(let error): return .failure(ReplayJobError(error.message))
            }
        }
        var recorded: [ReplayTick] = []
        var count = 0
        var firstTime: Double?
        var lastTime = 0.0
        while let next = reader.nextLine() {
            let tick: TraceTick
            switch next.flatMap({ TraceCoding.tick(from: $0, line: reader.lineNumber) }) {
            case .success(let read): tick = read
            case .failure(let error):
                for session in sessions { session.finish() }
                return .failure(ReplayJobError("\(tracePath): \(error)"))
            }
            count += 1
            let start = firstTime ?? tick.timeSeconds
            firstTime = start
            lastTime = tick.timeSeconds
            for (index, session) in sessions.enumerated() {
                let (row, outcome) = session.run(tick)
                csvFiles[index].write(ReplayCSV.row(row, tick: tick, outcome: outcome))
            }
            if let published = tick.published {
                recorded.append(ReplayTick(
                    timeSeconds: tick.timeSeconds - start, chargeVoltageLimit: published.chargeVoltageLimit,
                    chargeCurrentLimit: published.chargeCurrentLimit, dischargeCurrentLimit: published.dischargeCurrentLimit,
                    socPercent: published.socPercent, minCellVoltage: tick.context.bank.minCellVoltage,
                    maxCellVoltage: tick.context.bank.maxCellVoltage, bankCurrent: tick.context.bank.current,
                    limitReason: published.limitReason ?? "", feedInOff: tick.charge?.feedInMustBeOff ?? false))
            }
        }
        for session in sessions { session.finish() }
        var files: [String] = []
        for file in csvFiles {
            if let failure = file.close() { return .failure(ReplayJobError(failure)) }
            files.append(file.path)
        }
        var runs = sessions.map { ReplayRun(label: $0.label, ticks: $0.ticks) }
        // One choice: beside it, what the recorded system published, when the trace has it.
        if runs.count == 1, !recorded.isEmpty {
            runs.append(ReplayRun(label: "as recorded (\(header.chargeStrategy ?? "?") + \(header.socStrategy ?? "?"))",
                                  ticks: recorded))
        }
        let title = "Replay of " + (tracePath.split(separator: "/").last.map(String.init) ?? tracePath)
            + " (\(count) ticks)"
        switch OutputFile.create(paths.outputDirectory + "/replay.svg") {
        case .success(let svg):
            svg.write(ReplayPlot.svg(runs, title: title))
            if let failure = svg.close() { return .failure(ReplayJobError(failure)) }
            files.append(svg.path)
        case .failure(let error): return .failure(ReplayJobError(error.message))
        }
        return .success(Summary(ticks: count, runs: sessions.map { (label: $0.label, guardedTicks: $0.guardedTicks) },
                                files: files, traceSeconds: lastTime - (firstTime ?? lastTime)))
    }

    private func describe(_ choice: ReplayChoice) -> String {
        (choice.charge ?? "(config's charge strategy)") + "/" + (choice.soc ?? "(config's SoC strategy)")
    }
}

public struct ReplayJobError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
