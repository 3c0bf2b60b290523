import BusTools
import VeDbus

/// A private dbus-daemon, one event loop, and helpers to make connections on it.
public final class BusFixture {
    public let bus: PrivateBus
    public let loop: EventLoop

    public init(clock: @escaping () -> Double = MonotonicClock.now) throws {
        bus = try PrivateBus()
        loop = EventLoop(clock: clock)
    }

    /// A new connection attached to the loop.
    public func connect() throws -> BusConnection {
        let connection = try BusConnection(.address(bus.address))
        loop.attach(connection)
        return connection
    }

    /// `--address=...` for busctl.
    public var busctlAddress: String { "--address=\(bus.address)" }
    /// `--bus=...` for dbus-send.
    public var dbusSendAddress: String { "--bus=\(bus.address)" }

    /// Runs an independent client while the loop serves.
    public func tool(_ arguments: String...) throws -> ToolOutput {
        try ExternalTool.run(arguments, loop: loop)
    }

    /// Runs the loop until `condition` holds, at most `timeout` real seconds: the deadline is on
    /// the monotonic clock, because a test's manual clock does not move while the loop waits.
    @discardableResult
    public func spin(until condition: () -> Bool, timeout: Double = 5) -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while !condition() {
            if MonotonicClock.now() >= deadline { return false }
            loop.runOnce(maxWait: 0.02)
        }
        return true
    }

    /// Like `spin`, but bounded by the wall clock: on a loop driven by a ManualClock, `spin`'s
    /// time-out never passes while the test does not advance the clock.
    @discardableResult
    public func spin(until condition: () -> Bool, realSeconds: Double) -> Bool {
        let deadline = MonotonicClock.now() + realSeconds
        while !condition() {
            if MonotonicClock.now() >= deadline { return condition() }
            loop.runOnce(maxWait: 0.02)
        }
        return true
    }

    deinit { bus.stop() }
}

/// A fake clock for loops whose time a test moves by hand.
public final class ManualClock: @unchecked Sendable {
    public var now: Double
    public init(start: Double = 1000) { now = start }
    public func advance(_ seconds: Double) { now += seconds }
}
