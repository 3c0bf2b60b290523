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
    /// A key for `path`, resolved once and used every tick: the monitor's answers by index.
    func key(_ path: String) -> MonitorKey
    /// One service's values and last update, for reading many keys with one look-up of the
    /// service; nil when the service is not on the bus.
    func values(of service: String) -> MonitorServiceValues?
}

/// A path as a view resolved it: the host's monitor reads it by array index, other views by
/// name. An enum, so that the monitor's keys carry no String to retain on every read.
public enum MonitorKey: Sendable {
    case id(VeMonitor.PathID)
    case path(String)

    public init(path: String) { self = .path(path) }
}

/// One service's values for one tick: the monitor's value and number arrays (no storage copy,
/// one retain each; not the whole `ServiceState`, which every read would copy), or a look-up by
/// name for views without an index.
public struct MonitorServiceValues {
    /// Monotonic seconds of the service's last update.
    public let lastUpdate: Double
    /// The monitor's generation of these values (equal: nothing changed); nil for views that
    /// cannot tell, whose values are read every time.
    public let generation: UInt64?
    private let columns: VeMonitor.ValueColumns
    private let lookup: ((String) -> DBusValue?)?

    init(state: VeMonitor.ServiceState) {
        self.lastUpdate = state.lastUpdate
        self.generation = state.generation
        self.columns = state.columns
        self.lookup = nil
    }

    public init(lastUpdate: Double, generation: UInt64? = nil, lookup: @escaping (String) -> DBusValue?) {
        self.lastUpdate = lastUpdate
        self.generation = generation
        self.columns = VeMonitor.ValueColumns()
        self.lookup = lookup
    }

    public subscript(key: MonitorKey) -> DBusValue? {
        switch key {
        case .id(let id): return columns[id.index]
        case .path(let path): return lookup?(path)
        }
    }

    /// Read from the monitor's numbers, without copying the value out of the cache.
    /// The monitor's case inline, a look-up by name out of line: a battery reads thirty of
    /// these a tick, and the inlined look-up made each read several times larger.
    @inline(__always)
    func number(_ key: MonitorKey) -> Double? {
        if case .id(let id) = key { return columns.number(at: id.index) }
        return lookedUp(key)?.number
    }

    /// Appends the number at each of the monitor's `indexes` to `numbers` (nil where there is
    /// none), in one pass without a key to switch on per number. Only for a monitor's values.
    @inline(__always)
    func appendNumbers(at indexes: [Int], to numbers: inout [Double?]) {
        columns.appendNumbers(at: indexes, to: &numbers)
    }

    /// The number at one of the monitor's indexes (see `appendNumbers`).
    @inline(__always)
    func number(atIndex index: Int) -> Double? {
        columns.number(at: index)
    }

    @inline(__always)
    func integer(_ key: MonitorKey) -> Int? { number(key).flatMap(DBusValue.integer(ofNumber:)) }

    @inline(__always)
    func text(_ key: MonitorKey) -> String? {
        if case .id(let id) = key { return columns.text(at: id.index) }
        return lookedUp(key)?.string
    }

    /// The value of a key by name, from a view without an index.
    @inline(never)
    private func lookedUp(_ key: MonitorKey) -> DBusValue? {
        guard case .path(let path) = key else { return nil }
        return lookup?(path)
    }
}

extension MonitorView {
    /// Views without an index look paths up by name.
    public func key(_ path: String) -> MonitorKey { MonitorKey(path: path) }

    public func values(of service: String) -> MonitorServiceValues? {
        guard let lastUpdate = lastUpdate(service) else { return nil }
        return MonitorServiceValues(lastUpdate: lastUpdate) { path in self.value(service, path) }
    }

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

    public func key(_ path: String) -> MonitorKey { .id(pathID(path)) }

    public func values(of service: String) -> MonitorServiceValues? {
        services[service].map(MonitorServiceValues.init(state:))
    }
}
