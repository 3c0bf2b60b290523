import VeDbus

/// How a device announces its changed values. Real drivers differ: dbus-serialbattery sets
/// each path with velib's plain setter, outside a batch, so every changed value is its own
/// PropertiesChanged on that path; Victron's own services send one ItemsChanged on "/" per
/// batch. Either way an unchanged value sends nothing.
public enum PublishMode: String, Sendable, CaseIterable {
    case propertiesChanged = "properties-changed"
    case itemsChanged = "items-changed"
}

/// One simulated device service on its own bus connection, with the faults a scenario can
/// inject: a hung process, invalid values, wrong types, vanish and return (also under
/// another name, as after a USB re-enumeration).
///
/// Subclasses say which paths they have (`measurementPaths`) and what the values are now
/// (`measurementValues`); this class owns the connection and turns values into signals.
public class SimulatedDevice {
    /// The bus name; changes only when the device comes back under another name.
    public private(set) var serviceName: String
    public var identity: DeviceIdentity
    /// How changed values go out.
    public var publishMode: PublishMode = .itemsChanged
    /// A hung driver process: nothing is published and no call is answered (its connection
    /// is not read), while its name stays on the bus. Readers keep seeing the last values.
    public var isFrozen = false {
        didSet {
            guard let connection = service?.connection, isFrozen != oldValue else { return }
            if isFrozen { loop.detach(connection) } else { loop.attach(connection) }
        }
    }
    /// Paths published as invalid (Victron's None) instead of their value.
    public var invalidatedPaths: Set<String> = []
    /// Numeric paths published as a string (their text) instead of a number.
    public var wrongTypePaths: Set<String> = []
    /// Paths published with another value than the model's (a driver's bad decode, say).
    public var overriddenValues: [String: DBusValue] = [:]
    /// How many times this device sent its changed values (one signal, or one burst of them).
    public private(set) var publishCount = 0
    /// The last path and value the last publish sent: a reader that has it has the whole burst.
    public private(set) var lastPublished: (path: String, value: DBusValue)?

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
        isFrozen = false
        guard let service else { return }
        service.connection.releaseName(serviceName)
        service.connection.close()
        loop.detach(service.connection)
        self.service = nil
    }

    /// Comes back on a fresh connection (a new unique name), as a restarted driver does.
    public func returnToBus() throws(DBusError) { try connect() }

    /// Leaves the bus and comes back under `newServiceName` with the same identity (serial,
    /// custom name, device instance): a BMS whose USB adapter was enumerated again.
    public func reenumerate(as newServiceName: String) throws(DBusError) {
        vanish()
        serviceName = newServiceName
        try connect()
    }

    /// Sets every value and sends the changed ones (see `publishMode`); nothing while frozen
    /// or off the bus. Returns how many paths changed. `pause` runs between two
    /// PropertiesChanged signals of one burst (see `DriverPacing`).
    @discardableResult
    public func publish(between pause: (() -> Void)? = nil) -> Int {
        guard !isFrozen, let service, service.isRegistered else { return 0 }
        for (path, value) in effectiveValues() { service.set(path, value) }
        let last = service.pendingPaths.last
        let count = publishMode == .itemsChanged ? service.publish() : service.publishEachPath(between: pause)
        if count > 0, let last, let handle = service.handle(last) {
            publishCount += 1
            lastPublished = (last, service.value(handle))
        }
        return count
    }

    /// All values with the injected faults applied.
    func effectiveValues() -> [(String, DBusValue)] {
        (identity.values + measurementValues()).map { path, value in
            if let replaced = overriddenValues[path] { return (path, replaced) }
            if invalidatedPaths.contains(path) { return (path, .invalid) }
            if wrongTypePaths.contains(path), let number = value.number {
                return (path, .string(String(number)))
            }
            return (path, value)
        }
    }
}
