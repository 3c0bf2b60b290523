import VeDbus

/// The daemon's log for faults that can repeat every tick (a failing strategy, a disk that
/// refuses writes, a service that sends garbage): one line when it starts, a reminder at most
/// once a minute, one line when it ends.
final class FaultReporter {
    private let logger: DaemonLogger
    private let clock: () -> Double
    private var limiter = RepeatLimiter(intervalSeconds: 60)
    /// Health changes never "clear"; kept apart so that `limiter` stays empty when all is well.
    private var healthLimiter = RepeatLimiter(intervalSeconds: 60)

    init(logger: DaemonLogger, clock: @escaping () -> Double) {
        self.logger = logger
        self.clock = clock
    }

    /// A strategy tick failed (`role` is "charge" or "SoC").
    func strategyFailed(role: String, name: String, message: String) {
        warn("strategy.\(role)", "\(role) strategy \(name) failed: \(message); safe values published")
    }

    /// The charge strategy gave limits the guard could not publish as given.
    func limitsReplaced(strategy name: String, _ replacements: [LimitReplacement]) {
        guard !replacements.isEmpty else {
            recovered("strategy.values", "charge strategy \(name) recovered: its limits are usable again")
            return
        }
        let why = replacements.map { $0.why }.joined(separator: ", ")
        warn("strategy.values", "charge strategy \(name) gave unusable limits: \(why)")
    }

    /// A strategy tick succeeded: ends its failure, if there was one.
    func strategyWorked(role: String, name: String) {
        recovered("strategy.\(role)", "\(role) strategy \(name) recovered")
    }

    /// State files not saved this tick (they stay pending); an empty list ends the fault.
    func stateNotSaved(_ errors: [StateStoreError]) {
        guard let first = errors.first else {
            recovered("state", "state saved again")
            return
        }
        warn("state", "state not saved, will retry every tick: \(first)" + (errors.count > 1 ? " (+\(errors.count - 1) more)" : ""))
    }

    /// The trace line of this tick was not written (nil: it was); the daemon runs on without it.
    func traceNotWritten(_ problem: String?) {
        guard let problem else {
            recovered("trace", "trace written again")
            return
        }
        warn("trace", "\(problem); the daemon runs on, the trace has a gap")
    }

    /// Something another service sent (or did not send) that we ignore.
    func busProblem(_ problem: VeMonitor.Problem) {
        switch problem {
        case .scanFailed(let service, let error):
            warn("bus.\(service)", "\(service) could not be read, ignored: \(error)")
        case .malformedSignal(let service, let member, let detail):
            warn("bus.\(service)", "\(service) sent a malformed \(member), ignored: \(detail)")
        case .valueTooLarge(let service, let path, let bytes):
            warn("bus.\(service).size", "\(service) sent \(bytes) bytes for \(path), more than a value may take: invalid, not read")
        case .tooManyPaths(let service):
            warn("bus.paths", "\(service) brought more paths than are kept (\(VeMonitor.maximumPathCount)); the rest are skipped")
        }
    }

    /// Input one of our bus connections refused or cut, replies it dropped, a flood it met.
    func connectionProblem(_ problem: BusConnection.Problem, connection: String) {
        switch problem {
        case .rejected(let reason, let sender):
            warn("bus.in.rejected", "\(connection): refused a message from \(sender ?? "an unknown sender"): \(reason)")
        case .oversized(let length, let sender, let member):
            warn("bus.in.oversized", "\(connection): skipped a message of \(length) bytes (\(member ?? "?")) from \(sender ?? "an unknown sender"), more than is read")
        case .dropped(let destination):
            warn("bus.out.dropped", "\(connection): dropped a reply to \(destination ?? "the bus"), which does not read what waits for it")
        case .flooded(let bytes):
            warn("bus.in.flood", "\(connection): \(bytes) bytes arrived in one tick; reading as data arrives until it calms down")
        }
    }

    /// Our bus name could not be taken (another aggregator owns it, say): once, then at most
    /// once a minute while the daemon retries every tick; nil: it was taken.
    func registrationFailed(_ reason: String?) {
        guard let reason else {
            recovered("register", "the bus name is ours now")
            return
        }
        warn("register", "cannot register \(AggregateService.serviceName): \(reason); retrying every tick")
    }

    /// The current from Victron devices could not be used this tick (nil: it could).
    func victronCurrentUnavailable(_ reason: String?) {
        guard let reason else {
            recovered("victron.current", "current from Victron devices available again")
            return
        }
        warn("victron.current", "current from Victron devices unavailable, BMS current used: \(reason)")
    }

    /// The SoC strategy gave values that cannot be (they are published as invalid); empty: it did not.
    func socValuesRejected(strategy name: String, _ names: [String]) {
        guard !names.isEmpty else {
            recovered("strategy.socValues", "SoC strategy \(name) gives possible values again")
            return
        }
        warn("strategy.socValues", "SoC strategy \(name) gave impossible values: \(names.joined(separator: ", "))")
    }

    /// A battery's health changed (`kinds`: "online->invalid", say). Each kind of change is
    /// logged when it happens, then at most once a minute while it repeats: a pack that flaps,
    /// or an invalid reading whose reason names a value that changes every second.
    func batteryHealthChanged(_ battery: String, from: String, to: String, kinds: String) {
        if let line = healthLimiter.occurred("\(battery).\(kinds)", "battery \(battery): \(from) -> \(to)", now: clock()) {
            logger.info("\(line)")
        }
    }

    private func warn(_ key: String, _ message: String) {
        if let line = limiter.occurred(key, message, now: clock()) { logger.warning("\(line)") }
    }

    /// Called every tick for every kind of fault, so with no fault active it costs nothing:
    /// the key and the message are made only when there is something to clear.
    private func recovered(_ key: @autoclosure () -> String, _ message: @autoclosure () -> String) {
        guard !limiter.isEmpty, limiter.cleared(key()) else { return }
        logger.info(message())
    }
}
