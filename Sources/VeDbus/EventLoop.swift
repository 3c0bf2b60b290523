import CSystem

/// Seconds on the monotonic clock: immune to wall-clock jumps (NTP, a GX without RTC at boot).
public enum MonotonicClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A one-thread, poll-based loop over bus connections, timers and file descriptors.
///
/// Everything runs on the thread that calls `run`; only `stop()` and `wake()` may be called
/// from elsewhere (they write to a pipe). It sleeps in poll() until a socket, a timer or a
/// call deadline needs it: no busy waiting.
public final class EventLoop: @unchecked Sendable {
    public typealias TimerID = Int

    private struct Timer {
        var id: TimerID
        var due: Double
        /// nil for a one-shot timer.
        var interval: Double?
        var action: () -> Void
    }

    private struct Watch {
        var fd: Int32
        var onReadable: () -> Void
    }

    private var connections: [BusConnection] = []
    private var timers: [Timer] = []
    private var watches: [Watch] = []
    private var nextTimerID = 0
    private var wakePipe: (read: Int32, write: Int32) = (-1, -1)
    private var stopRequested = false
    public let clock: () -> Double

    public init(clock: @escaping () -> Double = MonotonicClock.now) {
        self.clock = clock
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = csystem_fcntl(fd, F_SETFL, csystem_fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
                _ = csystem_fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakePipe = (fds[0], fds[1])
        }
    }

    deinit {
        if wakePipe.read >= 0 { CSystem.close(wakePipe.read) }
        if wakePipe.write >= 0 { CSystem.close(wakePipe.write) }
    }

    public var now: Double { clock() }

    // MARK: Registration

    public func attach(_ connection: BusConnection) {
        guard !connections.contains(where: { $0 === connection }) else { return }
        connection.clock = clock
        connections.append(connection)
    }

    public func detach(_ connection: BusConnection) {
        connections.removeAll { $0 === connection }
    }

    /// Runs `action` every `interval` seconds. Deadlines advance by the interval, so the tick
    /// does not drift; after a stall it skips the missed ticks instead of bursting.
    @discardableResult
    public func every(_ interval: Double, startingIn delay: Double? = nil, _ action: @escaping () -> Void) -> TimerID {
        addTimer(due: now + (delay ?? interval), interval: max(interval, 0.001), action)
    }

    /// Runs `action` once after `delay` seconds.
    @discardableResult
    public func after(_ delay: Double, _ action: @escaping () -> Void) -> TimerID {
        addTimer(due: now + delay, interval: nil, action)
    }

    public func cancel(_ id: TimerID) {
        timers.removeAll { $0.id == id }
    }

    /// Calls `onReadable` whenever `fd` has data (for signal pipes and child processes).
    public func watch(fileDescriptor fd: Int32, onReadable: @escaping () -> Void) {
        watches.append(Watch(fd: fd, onReadable: onReadable))
    }

    public func unwatch(fileDescriptor fd: Int32) {
        watches.removeAll { $0.fd == fd }
    }

    private func addTimer(due: Double, interval: Double?, _ action: @escaping () -> Void) -> TimerID {
        nextTimerID += 1
        timers.append(Timer(id: nextTimerID, due: due, interval: interval, action: action))
        return nextTimerID
    }

    // MARK: Running

    /// Runs until `stop()`.
    public func run() {
        stopRequested = false
        while !stopRequested { runOnce(maxWait: 3600) }
    }

    /// Runs until `condition` holds or `timeout` seconds pass; returns whether it held.
    @discardableResult
    public func run(until condition: () -> Bool, timeout: Double) -> Bool {
        let deadline = now + timeout
        stopRequested = false
        while !condition() {
            let left = deadline - now
            if left <= 0 || stopRequested { return condition() }
            runOnce(maxWait: left)
        }
        return true
    }

    /// Runs for `seconds`, then returns.
    public func run(for seconds: Double) {
        _ = run(until: { false }, timeout: seconds)
    }

    /// Thread-safe: ends `run()` after the current iteration.
    public func stop() {
        stopRequested = true
        wake()
    }

    /// Thread-safe: interrupts a sleeping poll().
    public func wake() {
        var byte: UInt8 = 1
        _ = CSystem.write(wakePipe.write, &byte, 1)
    }

    /// One iteration: wait for I/O or the next deadline, then handle what is due.
    public func runOnce(maxWait: Double) {
        // Data libdbus already buffered would not wake poll(): hand it out first.
        var hadBuffered = false
        for connection in connections where connection.hasBufferedInput {
            connection.dispatchAll()
            hadBuffered = true
        }

        var fds: [pollfd] = []
        fds.reserveCapacity(connections.count + watches.count + 1)
        fds.append(pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0))
        // A batching connection sleeps between timers unless it awaits a reply or must write.
        let polledConnections = connections.filter { $0.pollEvents != 0 }
        let polledWatches = watches
        for connection in polledConnections {
            fds.append(pollfd(fd: connection.fileDescriptor, events: connection.pollEvents, revents: 0))
        }
        for watch in polledWatches {
            fds.append(pollfd(fd: watch.fd, events: Int16(POLLIN), revents: 0))
        }

        let timeoutMs = hadBuffered ? 0 : millisecondsUntilNextDeadline(maxWait: maxWait)
        let ready = poll(&fds, nfds_t(fds.count), timeoutMs)

        if ready > 0 {
            if fds[0].revents != 0 { drainWakePipe() }
            var index = 1
            for connection in polledConnections {
                if fds[index].revents != 0 { connection.service() }
                index += 1
            }
            for watch in polledWatches {
                if fds[index].revents != 0 { watch.onReadable() }
                index += 1
            }
        }
        let current = now
        if timers.contains(where: { $0.due <= current }) { catchUp() }
        for connection in connections { connection.expireCalls(now: current) }
        fireDueTimers(now: current)
    }

    /// The longest the catch-up before a timer reads, s: bounded so that a sender that never
    /// stops cannot hold the timer.
    static let catchUpBudgetSeconds = 0.2
    /// How long the catch-up waits for more once a batching socket is empty, ms: the bus daemon
    /// refills a drained socket from its queue for us when it next runs, which an immediate look
    /// misses.
    static let refillGraceMilliseconds: Int32 = 2

    /// Before timers fire: reads the batching connections until their sockets stay empty, so
    /// that the timers' work sees every message that arrived before it. The other connections
    /// are served in the same waits: a call on the service's connection is not held up by the
    /// catch-up.
    private func catchUp() {
        let batching = connections.filter { $0.batchesInput }
        guard !batching.isEmpty else { return }
        for connection in batching { connection.service() }
        let deadline = MonotonicClock.now() + Self.catchUpBudgetSeconds
        while MonotonicClock.now() < deadline {
            let reading = batching.filter { $0.acceptsInput }
            guard !reading.isEmpty else { break }
            let others = connections.filter { !$0.batchesInput && $0.pollEvents != 0 }
            var fds = reading.map { pollfd(fd: $0.fileDescriptor, events: Int16(POLLIN), revents: 0) }
            fds += others.map { pollfd(fd: $0.fileDescriptor, events: $0.pollEvents, revents: 0) }
            guard poll(&fds, nfds_t(fds.count), Self.refillGraceMilliseconds) > 0 else { break }
            var moreBatched = false
            for (index, connection) in reading.enumerated() where fds[index].revents != 0 {
                connection.service()
                moreBatched = true
            }
            for (index, connection) in others.enumerated() where fds[reading.count + index].revents != 0 {
                connection.service()
            }
            if !moreBatched { break }
        }
        for connection in batching { connection.noteTick() }
    }

    private func millisecondsUntilNextDeadline(maxWait: Double) -> Int32 {
        var wait = maxWait
        let current = now
        if let due = timers.lazy.map({ $0.due }).min() { wait = min(wait, due - current) }
        for connection in connections {
            if let deadline = connection.nearestDeadline { wait = min(wait, deadline - current) }
        }
        if wait <= 0 { return 0 }
        return Int32(min(wait * 1000 + 0.999, Double(Int32.max)))
    }

    private func fireDueTimers(now current: Double) {
        // Most wake-ups are for a message, not a timer: no arrays then.
        guard timers.contains(where: { $0.due <= current }) else { return }
        let dueIDs = timers.filter { $0.due <= current }.sorted { $0.due < $1.due }.map { $0.id }
        for id in dueIDs {
            guard let index = timers.firstIndex(where: { $0.id == id }) else { continue }
            let timer = timers[index]
            if let interval = timer.interval {
                var next = timer.due + interval
                if next <= current { next = current + interval - (current - timer.due).truncatingRemainder(dividingBy: interval) }
                timers[index].due = next
            } else {
                timers.remove(at: index)
            }
            timer.action()
        }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while CSystem.read(wakePipe.read, &buffer, buffer.count) > 0 {}
    }
}
