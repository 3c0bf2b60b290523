import PluginAPI
import PluginKit
import VeDbus

/// The daemon: watches the batteries and Victron devices, ticks every UPDATE_INTERVAL_DATA
/// seconds (snapshot -> aggregate -> charge strategy -> SoC strategy -> guard -> publish) and
/// carries out the strategies' requests. Everything runs on the event loop's thread.
///
/// Faults are states: once registered, the service stays on the bus for the life of the process,
/// whatever a battery, a strategy or a file does.
public final class AggregatorDaemon {
    public let loop: EventLoop
    public private(set) var settings: HostSettings
    private var prepared: PreparedStrategies
    private let address: BusAddress
    private let logger: DaemonLogger
    private let calendar: () -> CalendarDate
    /// The current bus session; replaced after the bus connection was lost.
    public private(set) var session: BusSession
    private let feedIn: FeedInController
    private let faults: FaultReporter
    private var victronCurrent = VictronCurrent()
    private var degradedPolicy: DegradedPolicy
    private var limitGuard: LimitGuard
    private var lastTickAt: Double?
    private var lastStatus: DegradedPolicy.Status?
    private var lastLogAt: Double
    private var timer: EventLoop.TimerID?
    private var probesInFlight: Set<String> = []
    /// The strategies' C input, filled once per tick for both.
    private let tickInput = TickInputBuffers()
    /// The snapshots of the batteries online this tick; the array is kept from tick to tick.
    private var onlineSnapshots: [BatterySnapshot] = []
    private var reconnect = ReconnectBackoff()
    private var reconnectTimer: EventLoop.TimerID?
    /// TRACE_FILE: each tick's strategy inputs and outputs, for a replay or a problem report.
    private var trace: TraceWriter?
    /// Set by `record` before `start()`: the daemon then only watches. Each tick it writes what the
    /// strategies would get and what the aggregate on the bus (another process) published; it
    /// runs no strategy, registers no name, publishes and saves nothing.
    public var recorder: TraceWriter?
    /// The last outcome, for the periodic log line and tests.
    public private(set) var lastOutcome: TickOutcome?
    /// Once registered, read the monitor's connection only just before each tick
    /// (`BusConnection.batchesInput`; the service's connection is always read at once):
    /// one wake-up a second. Until then every message is read at once, so that the batteries
    /// found at start are read and the service registered within about a second.
    public var batchesBusInputOnceRegistered = false
    /// Battery seconds per second of the loop's clock: 1 on a real system; a simulation that runs
    /// N times faster (the demo's --speed) sets N, so that a coulomb counter integrates its time.
    public var timeScale = 1.0

    public var monitor: VeMonitor { session.monitor }
    public var service: AggregateService { session.service }

    public init(prepared: PreparedStrategies, address: BusAddress, loop: EventLoop, logger: DaemonLogger,
                calendar: @escaping () -> CalendarDate = LocalCalendar.today) throws(DBusError) {
        self.prepared = prepared
        self.settings = prepared.configuration.settings
        self.address = address
        self.loop = loop
        self.logger = logger
        self.calendar = calendar
        session = try BusSession(address: address, loop: loop, settings: prepared.configuration.settings,
                                 selection: prepared.selection, logger: logger)
        feedIn = FeedInController(monitor: session.monitor, stateStore: prepared.stateStore, logger: logger)
        degradedPolicy = DegradedPolicy(offlineBlockAfterSeconds: settings.offlineBlockAfterSeconds)
        limitGuard = LimitGuard(configuration: prepared.configuration)
        faults = FaultReporter(logger: logger, clock: loop.clock)
        lastLogAt = loop.now
        trace = Self.traceWriter(for: prepared)
    }

    /// The trace writer TRACE_FILE asks for, with a header naming the strategies and the user's keys.
    static func traceWriter(for prepared: PreparedStrategies) -> TraceWriter? {
        let settings = prepared.configuration.settings
        guard let path = settings.traceFile else { return nil }
        let header = TraceHeader(source: "daemon", program: "dbus-aggregate-batteries \(AggregateService.version)",
                                 chargeStrategy: prepared.selection.charge, socStrategy: prepared.selection.soc,
                                 config: TraceHeader.recordedKeys(of: prepared.configuration.layers))
        return TraceWriter(path: path, maximumBytes: settings.traceMaxBytes, header: header)
    }

    /// Starts watching the bus and ticking. The service is registered once the batteries have
    /// given a complete sample (or STARTUP_WAIT has passed). Without `ticking` the caller calls
    /// `tick()` itself (tests that step time by hand).
    public func start(ticking: Bool = true) {
        logStartup()
        begin(session)
        // The loop holds the daemon through this timer until `stop()` cancels it.
        if ticking { timer = loop.every(settings.dataUpdateIntervalSeconds) { self.tick() } }
    }

    /// Saves what must survive (the strategies write their state on destroy) and leaves the bus.
    public func stop() {
        if let timer { loop.cancel(timer) }
        if let reconnectTimer { loop.cancel(reconnectTimer) }
        timer = nil
        reconnectTimer = nil
        prepared.charge.destroy()
        prepared.soc.destroy()
        for error in prepared.stateStore.flush() { logger.error("state not saved at exit: \(error)") }
        session.close(loop: loop)
        logger.info("stopped")
    }

    // MARK: Bus sessions

    /// Wires a session's callbacks and starts its monitor. The callbacks hold the daemon and the
    /// session; `BusSession.close` drops them.
    private func begin(_ session: BusSession) {
        let monitor = session.monitor
        monitor.onServiceAppeared = { name in
            session.tracker.invalidateInventory()
            if name == FeedInController.settingsService { session.customName.settingsAppeared() }
            self.logger.debug("service appeared: \(name)")
        }
        monitor.onServiceRemoved = { name in
            session.tracker.invalidateInventory()
            self.logger.debug("service left: \(name)")
        }
        requestPaths(session)
        // The monitor reports only the inventory paths (`resolveInventoryPaths`).
        monitor.onValuesChanged = { _, _ in session.tracker.invalidateInventory() }
        monitor.onProblem = { problem in self.faults.busProblem(problem) }
        session.connection.onProblem = { problem in self.faults.connectionProblem(problem, connection: "monitor connection") }
        session.serviceConnection.onProblem = { problem in
            self.faults.connectionProblem(problem, connection: "service connection")
        }
        let customName = session.customName
        session.service.onCustomNameWritten = { name in customName.nameChanged(to: name) }
        session.connection.onDisconnect = { self.busLost() }
        session.serviceConnection.onDisconnect = { self.busLost() }
        feedIn.monitor = monitor
        if recorder != nil {
            // The running aggregate is read like any service (the inventory never takes it for a pack).
            monitor.excludedNames = []
            for path in PublishedLimits.paths { _ = monitor.pathID(path) }
        }
        monitor.start()
    }

    /// The monitor keeps only the paths the daemon reads (junk paths from a faulty driver cost
    /// nothing): every one is requested here, before the services are read, so that their first
    /// reading already has them.
    private func requestPaths(_ session: BusSession) {
        let monitor = session.monitor
        monitor.keepsOnlyRequestedPaths = true
        monitor.maximumItemBytes = settings.maxValueBytes
        session.tracker.resolveKeys(monitor)
        for path in [settings.smartShuntInstanceNamePath, "/Dc/0/Current", "/Connected", SystemLowSoc.path,
                     FeedInController.feedInPath, CustomNameSetting.settingPath, DvccUserLimits.currentPath,
                     DvccUserLimits.voltagePath] {
            _ = monitor.pathID(path)
        }
        // The paths whose change can change what a service is (its name, product, cell count):
        // the inventory is classified again when one changes. Only these are worth a callback;
        // the values that change every second are not.
        // A pack's identity (serial, custom name, instance) too: it follows the pack to a new service name.
        monitor.reportedPaths = [settings.batteryInstanceNamePath, settings.batteryProductNamePath, CellCountCheck.path,
                                 "/Serial", "/CustomName", "/DeviceInstance"]
            .map { monitor.pathID($0) }
    }

    /// The bus connection broke: the service is off the bus until a new session registers it.
    private func busLost() {
        guard reconnectTimer == nil else { return }  // both connections report the same loss
        logger.error("the bus connection was lost; reconnecting")
        scheduleReconnect()
    }

    private func scheduleReconnect() {
        guard reconnectTimer == nil else { return }
        let delay = reconnect.nextDelay()
        reconnectTimer = loop.after(delay) {
            self.reconnectTimer = nil
            self.attemptReconnect()
        }
    }

    private func attemptReconnect() {
        do {
            let fresh = try BusSession(address: address, loop: loop, settings: settings, selection: prepared.selection,
                                       logger: logger, tracker: session.tracker)
            session.close(loop: loop)
            session = fresh
            reconnect.succeeded()
            begin(fresh)
            logger.info("reconnected to the bus; the service registers again with the next complete sample")
        } catch {
            logger.warning("cannot reconnect to the bus yet: \(error)")
            scheduleReconnect()
        }
    }

    // MARK: Reload

    /// SIGHUP: reads the configuration again and re-creates the strategies at a tick boundary.
    /// A configuration that fails keeps the running one and its strategies, with their state, and
    /// says why. The bus session stays: the service never leaves the bus for a reload.
    @discardableResult
    public func reload(paths: DaemonPaths) -> Bool {
        let (loaded, libraries, loadErrors, problems) = Startup.loadConfiguration(paths: paths)
        guard let configuration = loaded else {
            logger.error("reload refused, the running configuration stays: \(problems.joined(separator: "; "))")
            return false
        }
        // The new strategies are tried first on a store that writes nothing, so that one that
        // cannot start leaves the running ones (and what they hold in memory) untouched.
        let quiet = DaemonLogger(level: .error) { _, _ in }
        switch Startup.instantiate(configuration, libraries: libraries, loadErrors: loadErrors,
                                   stateStore: prepared.stateStore.trial(), logger: quiet, calendar: calendar) {
        case .failure(let failure):
            logger.error("reload refused, the running configuration stays: \(failure.lines.joined(separator: "; "))")
            return false
        case .success(let trial):
            trial.charge.destroy()
            trial.soc.destroy()
            // A strategy that cannot start would run as one that fails every tick (CCL = DCL
            // = 0): at start that keeps the service up, on a reload it would replace working ones.
            let failures = [trial.charge, trial.soc].compactMap { instance in
                instance.creationFailure.map { "strategy \(instance.strategy.name) cannot start: \($0)" }
            }
            guard failures.isEmpty else {
                logger.error("reload refused, the running configuration stays: \(failures.joined(separator: "; "))")
                return false
            }
        }
        // The old strategies save their state first, so the new ones read the latest.
        prepared.charge.destroy()
        prepared.soc.destroy()
        _ = prepared.stateStore.flush()
        let store = prepared.stateStore
        switch Startup.instantiate(configuration, libraries: libraries, loadErrors: loadErrors, stateStore: store,
                                   logger: logger, calendar: calendar) {
        case .success(let fresh):
            apply(fresh)
            logger.info("configuration reloaded: charge strategy \(fresh.selection.charge), SoC strategy \(fresh.selection.soc)")
            return true
        case .failure(let failure):
            // Only if the strategies start differently a moment later: the running configuration
            // is created again from what its strategies just saved.
            logger.error("reload failed, the running configuration is restored: \(failure.lines.joined(separator: "; "))")
            switch Startup.instantiate(prepared.configuration, libraries: prepared.libraries, loadErrors: [],
                                       stateStore: store, logger: logger, calendar: calendar) {
            case .success(let running): apply(running)
            case .failure(let again):
                // The guard publishes safe limits while the strategies fail; the service stays.
                logger.error("the running strategies cannot be re-created: \(again.lines.joined(separator: "; "))")
            }
            return false
        }
    }

    private func apply(_ fresh: PreparedStrategies) {
        let busKeysChanged = fresh.configuration.settings.batteryServiceName != settings.batteryServiceName
            || fresh.configuration.settings.multiKeyword != settings.multiKeyword
            || fresh.configuration.settings.mpptKeyword != settings.mpptKeyword
            || fresh.configuration.settings.dcloadServiceName != settings.dcloadServiceName
        prepared = fresh
        settings = fresh.configuration.settings
        trace?.close()
        trace = Self.traceWriter(for: fresh)
        logger.level = settings.logLevel
        degradedPolicy.offlineBlockAfterSeconds = settings.offlineBlockAfterSeconds
        limitGuard = LimitGuard(configuration: fresh.configuration, lastValidChargeVoltage: limitGuard.lastValidChargeVoltage)
        session.reconfigure(settings: settings, selection: fresh.selection)
        requestPaths(session)
        if busKeysChanged { logger.warning("service name keys changed: they take effect after a restart") }
    }

    // MARK: The tick

    /// One tick: read the cache, aggregate, run both strategies, guard, publish, act.
    public func tick() {
        let now = loop.now
        let timeStep = (lastTickAt.map { now - $0 } ?? settings.dataUpdateIntervalSeconds) * timeScale
        lastTickAt = now

        guard session.isConnected else { return }
        let tracker = session.tracker
        // The last tick's snapshots share each battery's cell array: let go of them before the
        // readings are refilled, or every battery's cells would be copied on write, each tick.
        onlineSnapshots.removeAll(keepingCapacity: true)
        for change in tracker.update(from: monitor, now: now) {
            faults.batteryHealthChanged(change.battery, from: Self.describe(change.from), to: Self.describe(change.to),
                                        kinds: Self.kind(change.from) + "->" + Self.kind(change.to))
        }
        while let notice = tracker.takeNotice() { logger.warning("\(notice)") }
        probeQuietBatteries()

        let onlineCount = tracker.onlineCount
        let expectedCount = tracker.expectedCount(configured: settings.numberOfBatteries)
        var aggregate = BankAggregate.combine(tracker.readings, cellsPerBattery: settings.cellsPerBattery,
                                              systemLowSoc: SystemLowSoc.read(from: monitor))
        applyVictronCurrent(to: &aggregate)

        let status = degradedPolicy.evaluate(expected: expectedCount, online: onlineCount, now: now)
        logStatusChange(status)

        BankAggregate.onlineSnapshots(tracker.readings, into: &onlineSnapshots)
        let context = TickContext(timeStepSeconds: timeStep, date: calendar(),
                                  batteriesExpected: expectedCount, bank: aggregate.snapshot,
                                  batteries: onlineSnapshots)
        let capacity = tracker.capacityShare(configured: settings.numberOfBatteries)
        let capacityShare = capacity.expected > 0 ? capacity.online / capacity.expected : 1
        let vetoes = PackVetoes.of(tracker.readings)
        let dvcc = DvccUserLimits.read(from: monitor)
        if let recorder {
            let published = PublishedLimits.read(from: monitor)
            faults.traceNotWritten(recorder.append(TraceCoding.line(TraceTick(
                timeSeconds: now * timeScale, context: context, onlineCapacityShare: capacityShare, vetoes: vetoes,
                dvcc: dvcc, published: published))))
            return
        }
        let strategies = StrategyTick.run(charge: prepared.charge, soc: prepared.soc, buffers: tickInput, context: context,
                                          status: status, onlineCapacityShare: capacityShare, vetoes: vetoes,
                                          dvcc: dvcc, limitGuard: &limitGuard)
        reportStrategies(strategies)
        let charge = strategies.charge
        let soc = strategies.soc
        let limits = strategies.limits
        let outcome = TickOutcome(bank: aggregate.values, soc: soc, limits: limits, status: status,
                                  batteriesExpected: settings.numberOfBatteries, batteriesCounted: expectedCount,
                                  chargeStrategyState: (try? charge.get())?.strategyState ?? "",
                                  socStrategyState: soc?.strategyState ?? "")
        lastOutcome = outcome
        if let trace { writeTrace(trace, now: now, context: context, strategies: strategies) }
        session.publisher.write(outcome, readings: tracker.readings)
        registerWhenReady(onlineCount: onlineCount, now: now)
        session.connection.batchesInput = batchesBusInputOnceRegistered && service.isRegistered
        service.publish()

        if case .success(let result) = charge { feedIn.update(feedInMustBeOff: result.feedInMustBeOff) }
        faults.stateNotSaved(prepared.stateStore.flush())
        logPeriodically(now: now, outcome: outcome)
    }

    /// TRACE_FILE: what the strategies got and gave this tick, and what the guard made of it.
    private func writeTrace(_ trace: TraceWriter, now: Double, context: TickContext, strategies: StrategyTick.Outcome) {
        let limits = strategies.limits
        let published = PublishedLimits(
            chargeVoltageLimit: limits.chargeVoltageLimit, chargeCurrentLimit: limits.chargeCurrentLimit,
            dischargeCurrentLimit: limits.dischargeCurrentLimit, socPercent: strategies.soc?.socPercent,
            limitReason: limits.reason, bmsCableAlarm: limits.bmsCableAlarm)
        let line = TraceCoding.line(TraceTick(
            timeSeconds: now * timeScale, context: context, onlineCapacityShare: strategies.onlineCapacityShare,
            vetoes: strategies.vetoes, dvcc: strategies.dvcc, published: published, charge: try? strategies.charge.get(),
            chargeError: strategies.chargeFailure?.message, soc: strategies.soc, socError: strategies.socFailure?.message))
        faults.traceNotWritten(trace.append(line))
    }

    /// Logs a strategy's failure and recovery, impossible SoC values and replaced limits (each
    /// rate-limited by the fault reporter).
    private func reportStrategies(_ outcome: StrategyTick.Outcome) {
        guard outcome.strategiesRan else { return }
        if let failure = outcome.chargeFailure {
            faults.strategyFailed(role: "charge", name: failure.strategy, message: failure.message)
        } else {
            faults.strategyWorked(role: "charge", name: prepared.selection.charge)
            faults.limitsReplaced(strategy: prepared.selection.charge, outcome.limits.replacements)
        }
        if let failure = outcome.socFailure {
            faults.strategyFailed(role: "SoC", name: failure.strategy, message: failure.message)
        } else {
            faults.strategyWorked(role: "SoC", name: prepared.selection.soc)
            faults.socValuesRejected(strategy: prepared.selection.soc, outcome.socRejected)
        }
    }

    private func applyVictronCurrent(to aggregate: inout BankAggregate) {
        let outcome = victronCurrent.evaluate(monitor, inventory: session.tracker.inventory,
                                              rules: VictronCurrentRules(settings: settings),
                                              bankVoltage: aggregate.values.voltage)
        for event in outcome.events {
            logger.info(event == .multiConnected ? "Multi connected" : "Multi disconnected")
        }
        for notice in outcome.notices { logger.info(notice) }
        switch outcome.decision {
        case .notConfigured:
            break
        case .use(let amps, let watts):
            aggregate.substituteCurrent(amps, power: watts)
            faults.victronCurrentUnavailable(nil)
        case .keepBmsCurrent(let reason, let isFault):
            faults.victronCurrentUnavailable(isFault ? reason : nil)
        }
    }

    /// A healthy driver sends nothing while its values stay the same (a resting bank can be
    /// silent for minutes): a pack quiet for half of STALE_TIMEOUT is asked for one value, and
    /// any answer counts as a sign of life. Only a pack that does not answer goes stale.
    private func probeQuietBatteries() {
        let half = settings.staleTimeoutSeconds / 2
        for service in session.tracker.quietServices(silentFor: half) where !probesInFlight.contains(service) {
            probesInFlight.insert(service)
            monitor.probe(service, path: "/Dc/0/Voltage", timeout: min(max(half, 0.5), monitor.callTimeout)) { _ in
                self.probesInFlight.remove(service)
            }
        }
    }

    // MARK: Registration

    /// Registers the bus name once every expected battery gave a valid sample, or after
    /// STARTUP_WAIT in degraded state: never with placeholder values.
    private func registerWhenReady(onlineCount: Int, now: Double) {
        guard !service.isRegistered else { return }
        let waited = now - session.startedAt
        guard onlineCount >= settings.numberOfBatteries || waited >= settings.startupWaitSeconds else { return }
        do {
            try service.register()
            faults.registrationFailed(nil)
            session.tracker.establishOnlinePacks()
            if onlineCount >= settings.numberOfBatteries {
                logger.info("\(AggregateService.serviceName) registered with \(onlineCount) batteries online")
            } else {
                logger.warning("\(AggregateService.serviceName) registered degraded after \(Int(waited)) s: \(onlineCount) of \(settings.numberOfBatteries) batteries online")
            }
        } catch {
            faults.registrationFailed("\(error)")
        }
    }

    // MARK: Logging

    private func logStartup() {
        let s = settings
        logger.info("dbus-aggregate-batteries \(AggregateService.version) starting on the \(address) bus")
        logger.info("\(s.numberOfBatteries) batteries of \(s.cellsPerBattery) cells; charge strategy \(prepared.selection.charge), SoC strategy \(prepared.selection.soc); tick \(s.dataUpdateIntervalSeconds) s")
        logger.info("current from Victron devices: \(s.currentFromVictron), SmartShunts: \(s.useSmartShunts.description); stale after \(s.staleTimeoutSeconds) s, block after \(s.offlineBlockAfterSeconds) s offline")
        for warning in prepared.pluginWarnings { logger.warning("plugin not loaded: \(warning)") }
    }

    private func logStatusChange(_ status: DegradedPolicy.Status) {
        defer { lastStatus = status }
        guard let lastStatus else { return }
        let kind = { (s: DegradedPolicy.Status) -> Int in
            switch s { case .allOnline: 0; case .degraded: 1; case .blocked: 2; case .noBatteryOnline: 3 }
        }
        guard kind(lastStatus) != kind(status) else { return }
        let text = AggregatePublisher.describe(status)
        if case .allOnline = status { logger.info("all batteries online again") } else { logger.warning("\(text)") }
    }

    private func logPeriodically(now: Double, outcome: TickOutcome) {
        guard settings.logPeriodSeconds > 0, now - lastLogAt >= Double(settings.logPeriodSeconds) else { return }
        lastLogAt = now
        let b = outcome.bank
        func f(_ v: Double?, _ d: Int) -> String { v.map { TextFormat.fixedPoint($0, decimals: d) } ?? "---" }
        logger.info("CVL \(f(outcome.limits.chargeVoltageLimit, 2)) V, CCL \(f(outcome.limits.chargeCurrentLimit, 1)) A, DCL \(f(outcome.limits.dischargeCurrentLimit, 1)) A; \(f(b.voltage, 2)) V, \(f(b.current, 2)) A, SoC \(f(outcome.soc?.socPercent, 1)) %; cells \(f(b.minCellVoltage, 3)) V (\(b.minVoltageCellId ?? "---")) .. \(f(b.maxCellVoltage, 3)) V (\(b.maxVoltageCellId ?? "---")), diff \(f(b.voltagesDiff, 3)) V; \(outcome.chargeStrategyState)")
    }

    /// The kind of a health without its numbers (an invalid reason keeps its words and paths):
    /// what a change is rate-limited by, so that a value changing every second is one line a minute.
    static func kind(_ health: BatteryHealth) -> String {
        switch health {
        case .online: return "online"
        case .stale: return "stale"
        case .invalid(let reason):
            return "invalid:" + String(reason.unicodeScalars.filter { !("0"..."9").contains($0) }.map(Character.init))
        case .gone: return "gone"
        }
    }

    static func describe(_ health: BatteryHealth) -> String {
        switch health {
        case .online: return "online"
        case .stale(let seconds): return "stale (no update for \(Int(seconds)) s)"
        case .invalid(let reason): return "invalid (\(reason))"
        case .gone: return "gone"
        }
    }
}
