import VeDbus

/// One simulated device service on its own bus connection, with the faults a scenario can
/// inject: freeze (stale values), invalid values, wrong types, vanish and return.
///
/// Subclasses say which paths they have (`measurementPaths`) and what the values are now
/// (`measurementValues`); this class owns the connection and turns values into ItemsChanged.
public class SimulatedDevice {
    public let serviceName: String
    public var identity: DeviceIdentity
    /// While frozen nothing is published: readers keep seeing the last values (stale).
    public var isFrozen = false
    /// Paths published as invalid (Victron's None) instead of their value.
    public var invalidatedPaths: Set<String> = []
    /// Numeric paths published as a string (their text) instead of a number.
    public var wrongTypePaths: Set<String> = []
    /// How many ItemsChanged signals this device has sent.
    public private(set) var itemsChangedCount = 0

    public private(set) var service: VeService?
    private let address: BusAddress
    private let loop: EventLoop

    init(serviceName: String, identity: DeviceIdentity, address: BusAddress, loop: EventLoop) {
        self.serviceName = serviceName
        self.identity = identity
        self.address = address
        self.loop = loop
    }

    /// True while the service owns its name on the bus.
    public var isOnBus: Bool { service?.isRegistered == true }

    /// Paths besides the mandatory ones, with their GetText forms.
    func measurementPaths() -> [(String, VeService.TextFormatter?)] { [] }

    /// The values of `measurementPaths` now.
    func measurementValues() -> [(String, DBusValue)] { [] }

    /// Connects, adds every path with its current value, then requests the name (velib order:
    /// paths first, because monitors read GetItems once when the name appears).
    public func connect() throws(DBusError) {
        guard service == nil else { return }
        let connection = try BusConnection(address)
        loop.attach(connection)
        let service = VeService(connection: connection, serviceName: serviceName)
        for (path, value) in identity.values {
            if path == "/CustomName" {
                service.add(path, value, writable: true, validate: { $0.string.map(DBusValue.string) })
            } else {
                service.add(path, value)
            }
        }
        for (path, format) in measurementPaths() { service.add(path, .invalid, format: format) }
        for (path, value) in effectiveValues() { service.set(path, value) }
        service.onExternalWrite = { [unowned self] path, value in
            if path == "/CustomName", let name = value.string { self.identity.customName = name }
        }
        do {
            try service.register()
        } catch {
            loop.detach(connection)
            connection.close()
            throw error
        }
        self.service = service
    }

    /// Releases the name and closes the connection, as a driver that exits: monitors see
    /// NameOwnerChanged with an empty new owner.
    public func vanish() {
        guard let service else { return }
        service.connection.releaseName(serviceName)
        service.connection.close()
        loop.detach(service.connection)
        self.service = nil
    }

    /// Comes back on a fresh connection (a new unique name), as a restarted driver does.
    public func returnToBus() throws(DBusError) { try connect() }

    /// Sets every value and sends one ItemsChanged with the changed ones; nothing while frozen
    /// or off the bus. Returns how many paths changed.
    @discardableResult
    public func publish() -> Int {
        guard !isFrozen, let service, service.isRegistered else { return 0 }
        for (path, value) in effectiveValues() { service.set(path, value) }
        let count = service.publish()
        if count > 0 { itemsChangedCount += 1 }
        return count
    }

    /// All values with the injected faults applied.
    func effectiveValues() -> [(String, DBusValue)] {
        (identity.values + measurementValues()).map { path, value in
            if invalidatedPaths.contains(path) { return (path, .invalid) }
            if wrongTypePaths.contains(path), let number = value.number {
                return (path, .string(String(number)))
            }
            return (path, value)
        }
    }
}
