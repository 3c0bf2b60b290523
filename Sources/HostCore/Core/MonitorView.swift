import VeDbus

/// The read-only view of the monitor's cache that the pure core needs. The core never sees the
/// bus: the host passes its `VeMonitor`, tests pass an in-memory dictionary.
public protocol MonitorView {
    /// Services whose initial values have arrived, sorted by name (the original sorts them).
    var readyServiceNames: [String] { get }
    /// The cached value, nil when the service or path is unknown. Victron's None stays an
    /// invalid value (an empty array), so "invalid" and "never published" can be told apart.
    func value(_ service: String, _ path: String) -> DBusValue?
    /// Monotonic seconds of the service's last update; nil when it is not on the bus.
    func lastUpdate(_ service: String) -> Double?
}

extension MonitorView {
    /// The number at `path`: any numeric D-Bus type; a string, invalid or a missing value is nil.
    @inline(__always)
    func number(_ service: String, _ path: String) -> Double? {
        value(service, path)?.number
    }

    /// A whole number at `path` (a whole double is accepted); nil otherwise.
    @inline(__always)
    func integer(_ service: String, _ path: String) -> Int? {
        value(service, path)?.integer
    }

    /// The text at `path`; nil for any non-string value.
    @inline(__always)
    func text(_ service: String, _ path: String) -> String? {
        value(service, path)?.string
    }
}

extension VeMonitor: MonitorView {
    public var readyServiceNames: [String] {
        var names: [String] = []
        names.reserveCapacity(services.count)
        for (name, state) in services where state.isReady { names.append(name) }
        names.sort()
        return names
    }
}
