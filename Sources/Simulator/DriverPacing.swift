#if canImport(Glibc)
import Glibc
#endif
import VeDbus

/// When simulated batteries send within each second, the way separate dbus-serialbattery
/// processes do. Each driver polls its BMS on a GLib timer of its own, started when its process
/// started, so the packs' bursts fall at different moments of the second, not together. Within a
/// burst every changed path is one call of velib's setter, and each signal leaves on its own with
/// the driver's time per call between them: 20-45 µs measured on this project's x86-64 build
/// machine (velib's VeDbusService, python3.11, 25 paths), several times that on a GX.
public struct DriverPacing: Sendable, Equatable {
    /// Each battery sends at its own offset within the second (battery i of n at i/n s);
    /// false: all at the second, one after the other.
    public var spreadOverSecond: Bool
    /// Microseconds between two signals of one burst; 0 sends them back to back.
    public var messageGapMicroseconds: Int

    public init(spreadOverSecond: Bool, messageGapMicroseconds: Int) {
        self.spreadOverSecond = spreadOverSecond
        self.messageGapMicroseconds = max(0, messageGapMicroseconds)
    }

    /// dbus-serialbattery's shape as measured here.
    public static let serialBattery = DriverPacing(spreadOverSecond: true, messageGapMicroseconds: 25)
    /// Every battery at the tick, its signals back to back (a burst the reader takes in one read).
    public static let backToBack = DriverPacing(spreadOverSecond: false, messageGapMicroseconds: 0)

    /// Seconds after the tick at which battery `index` of `count` sends.
    public func offset(ofBattery index: Int, of count: Int) -> Double {
        guard spreadOverSecond, count > 1 else { return 0 }
        return Double(index) / Double(count)
    }

    /// What runs between two signals of a burst (nil: nothing).
    public var pause: (() -> Void)? {
        let gap = messageGapMicroseconds
        guard gap > 0 else { return nil }
        return { _ = usleep(UInt32(gap)) }
    }
}
