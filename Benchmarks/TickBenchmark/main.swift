import Benchmark
import BusTools
import Glibc
import HostCore
import MallocCounter
import Simulator
import VeDbus

// One tick's compute (`AggregatorDaemon.tick()`: read the monitor's cache -> aggregate -> charge
// and SoC strategies through the C ABI -> guard -> change detection and publish) at 2x16, 8x16
// and 32x24, with heap allocations per tick. The daemon and a simulated Venus OS (steady
// scenario, readings with measurement noise) share a private dbus-daemon and a manual clock; between two measured ticks the
// clock moves 1 s, the simulation steps and its signals reach the daemon, outside the timing.
//
//   scripts/release-build && .build/release/tick-benchmark               (300 ticks per size)
//   TICK_BENCHMARK_SHAPE=items .build/release/tick-benchmark             (ItemsChanged traffic)
//   .build/release/tick-benchmark --iterations 30 --warmup-iterations 3 (quick; scripts/test)
//   TICK_BENCHMARK_TRACE=1 .build/release/tick-benchmark                 (with the daemon's trace, TRACE_FILE)

/// Time that moves only when told: every tick is exactly 1 s after the previous one.
final class ManualClock: @unchecked Sendable {
    var now = 1000.0
}

/// The daemon, the simulation and their bus for one size.
final class TickFixture {
    let bus: PrivateBus
    let clock = ManualClock()
    let loop: EventLoop
    let venus: SimulatedVenus
    let daemon: AggregatorDaemon
    let folder: String
    private(set) var allocationsPerTick: [Double] = []

    init(batteries: Int, cells: Int) throws {
        bus = try PrivateBus()
        folder = try TemporaryDirectory.make(prefix: "dab-tick-bench")
        try TemporaryDirectory.write("""
            [DEFAULT]
            NR_OF_BATTERIES = \(batteries)
            NR_OF_CELLS_PER_BATTERY = \(cells)
            NR_OF_MPPTS = 1
            CURRENT_FROM_VICTRON = True
            OWN_CHARGE_PARAMETERS = True
            OWN_SOC = True
            LOG_PERIOD = 0
            \(getenv("TICK_BENCHMARK_TRACE") != nil ? "TRACE_FILE = \(folder)/trace.jsonl" : "")

            """, to: folder + "/config.ini")
        // config.default.ini from the current directory (the repository); plugins beside this binary.
        let paths = DaemonPaths.resolve(defaultConfig: "config.default.ini", userConfig: folder + "/config.ini",
                                        stateDirectory: folder, pluginDirectory: Self.executableFolder())
        let logger = DaemonLogger(level: .error)
        let prepared: PreparedStrategies
        switch Startup.prepare(paths: paths, logger: logger) {
        case .success(let ready): prepared = ready
        case .failure(let failure): throw BenchmarkSetupError(failure.lines.joined(separator: "; "))
        }
        let clock = self.clock
        loop = EventLoop(clock: { clock.now })
        var simulation = SimulationConfig()
        simulation.batteryCount = batteries
        simulation.cellsPerBattery = cells
        // Readings that jitter as a BMS's do: every battery changes every tick and is read again.
        simulation.measurementNoise = true
        // dbus-serialbattery's traffic, one PropertiesChanged per changed path; with
        // TICK_BENCHMARK_SHAPE=items, one ItemsChanged per battery per second (Victron's shape).
        simulation.batteryPublishMode = getenv("TICK_BENCHMARK_SHAPE").map { String(cString: $0) } == "items"
            ? .itemsChanged : .propertiesChanged
        venus = SimulatedVenus(scenario: .steady, config: simulation, address: .address(bus.address), loop: loop)
        try venus.start()
        daemon = try AggregatorDaemon(prepared: prepared, address: .address(bus.address), loop: loop, logger: logger)
        daemon.start(ticking: false)
        // Until every battery is online and the aggregate registered, as on a real start.
        for _ in 0..<60 where daemon.lastOutcome?.bank.batteriesOnline != batteries {
            advance()
            // Bounded in passes, not by the loop's (manual) clock, which does not move here.
            for _ in 0..<400 where !daemon.monitor.isSettled { loop.runOnce(maxWait: 0.005) }
            daemon.tick()
        }
        guard daemon.service.isRegistered, daemon.lastOutcome?.bank.batteriesOnline == batteries else {
            throw BenchmarkSetupError("not every battery online: \(daemon.lastOutcome?.bank.batteriesOnline ?? 0) of \(batteries)")
        }
    }

    deinit {
        daemon.stop()
        venus.stop()
        bus.stop()
        TemporaryDirectory.remove(folder)
    }

    /// One simulated second: the simulation publishes, the daemon's monitor takes the signals in
    /// (hundreds of messages at 32x24 on per-path traffic: read until the bus is quiet).
    func advance() {
        clock.now += 1
        venus.step(1)
        for _ in 0..<12 { loop.runOnce(maxWait: 0.005) }
    }

    /// One measured tick; records its heap allocations.
    func measuredTick(_ state: inout BenchmarkState) throws {
        advance()
        var allocations: UInt64 = 0
        try state.measure {
            let before = dab_malloc_count()
            daemon.tick()
            allocations = dab_malloc_count() - before
        }
        allocationsPerTick.append(Double(allocations))
        state.counters["allocs/tick"] = allocationsPerTick.reduce(0, +) / Double(allocationsPerTick.count)
    }

    private static func executableFolder() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return "." }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Fixtures are made on first use, so `--filter` starts only the sizes it runs.
nonisolated(unsafe) var fixtures: [String: TickFixture] = [:]

let suite = BenchmarkSuite(name: "tick") { suite in
    for (batteries, cells) in [(2, 16), (8, 16), (32, 24)] {
        let name = "\(batteries)x\(cells)"
        suite.benchmark(name) { state in
            if fixtures[name] == nil { fixtures[name] = try TickFixture(batteries: batteries, cells: cells) }
            try fixtures[name]!.measuredTick(&state)
        }
    }
}

// Each measured tick needs a simulated second around it (~20 ms of real time), so the count is
// fixed instead of swift-benchmark's default of running until 1 s was measured.
Benchmark.main([suite], customDefaults: [Iterations(300), WarmupIterations(10)])
fixtures.removeAll()
