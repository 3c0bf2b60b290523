import VeDbus

/// The virtual battery `com.victronenergy.battery.aggregate` on the bus: identity paths,
/// the paths of `AggregatePath`, and, when asked for, every cell of every battery.
public final class AggregateService {
    public static let serviceName = "com.victronenergy.battery.aggregate"
    public static let deviceInstance: Int32 = 99
    public static let productId: Int32 = 0xBA44
    public static let version = "0.1.0"
    /// /CustomName until the user names the battery (§4): the Python program's default, so the
    /// GX lists it the same; an empty name means this one, in the settings and on the bus.
    public static let defaultCustomName = "AggregateBatteries"

    public let service: VeService
    private var handles: [VeService.Handle] = []
    private var cellHandles: [String: VeService.Handle] = [:]
    /// Called when someone writes /CustomName through the bus, with the name to keep in the
    /// settings: "" for the default name, so an unnamed battery stays unnamed there.
    public var onCustomNameWritten: ((String) -> Void)? {
        didSet {
            // The service keeps only the handler, not this object: no cycle to break later.
            let handler = onCustomNameWritten
            service.onExternalWrite = { path, value in
                if path == "/CustomName", let name = value.string {
                    handler?(name == Self.defaultCustomName ? "" : name)
                }
            }
        }
    }

    public init(connection: BusConnection) {
        service = VeService(connection: connection, serviceName: Self.serviceName)
        service.add("/Mgmt/ProcessName", .string("dbus-aggregate-batteries"))
        service.add("/Mgmt/ProcessVersion", .string(Self.version))
        service.add("/Mgmt/Connection", .string("Virtual"))
        service.add("/DeviceInstance", .int32(Self.deviceInstance))
        service.add("/ProductId", .int32(Self.productId))
        service.add("/ProductName", .string("AggregateBatteries"))
        service.add("/FirmwareVersion", .string(Self.version))
        service.add("/HardwareVersion", .string("Swift"))
        service.add("/Connected", .int32(1))
        // A name cleared on the GX shows the default at once, as it would after a restart.
        service.add("/CustomName", .string(Self.defaultCustomName), writable: true,
                    validate: { value in value.string.map { .string(Self.shownCustomName($0)) } })
        handles = AggregatePath.allCases.map { service.add($0.path, .invalid, format: $0.format) }
    }

    public func register() throws(DBusError) {
        try service.register()
    }

    public var isRegistered: Bool { service.isRegistered }

    public subscript(path: AggregatePath) -> DBusValue {
        service.value(handles[index(of: path)])
    }

    public func set(_ path: AggregatePath, _ value: DBusValue) {
        service.set(handles[index(of: path)], value)
    }

    /// A number, or invalid for nil.
    public func set(_ path: AggregatePath, number: Double?) {
        set(path, number.map(DBusValue.double) ?? .invalid)
    }

    /// An integer, or invalid for nil.
    public func set(_ path: AggregatePath, integer: Int?) {
        set(path, integer.map { .int32(Int32(clamping: $0)) } ?? .invalid)
    }

    /// Text, or invalid for nil.
    public func set(_ path: AggregatePath, text: String?) {
        set(path, text.map(DBusValue.string) ?? .invalid)
    }

    /// `/Voltages/<batteryPathName>_Cell<k>`, "%.3fV"; the path appears on first use.
    public func setCell(batteryPathName: String, cell: Int, voltage: Double?) {
        let path = "/Voltages/\(batteryPathName)_Cell\(cell)"
        let value = voltage.map(DBusValue.double) ?? .invalid
        if let handle = cellHandles[path] {
            service.set(handle, value)
        } else {
            cellHandles[path] = service.add(path, value, format: TextFormat.fixed(3, "V"))
        }
    }

    /// Shows `name`, or the default name for an empty one.
    public func setCustomName(_ name: String) {
        service.set("/CustomName", .string(Self.shownCustomName(name)))
    }

    /// The /CustomName shown for a stored or written name: the default when it is empty.
    public static func shownCustomName(_ name: String) -> String {
        name.isEmpty ? defaultCustomName : name
    }

    /// One ItemsChanged with what changed; returns how many paths it carried.
    @discardableResult
    public func publish() -> Int { service.publish() }

    /// Handles were made in declaration order, so a case's raw value is its handle's index.
    private func index(of path: AggregatePath) -> Int { path.rawValue }
}
