/// One battery (BMS service) as discovery found it: who it is, not what it measures.
public struct BatteryIdentity: Equatable, Sendable {
    /// D-Bus service name, e.g. `com.victronenergy.battery.ttyUSB0`. Not the pack's identity:
    /// after a USB re-enumeration the same pack comes back under another one.
    public var service: String
    /// Unique display name used in lists, logs and cell ids.
    public var name: String
    /// `name` stripped to `[A-Za-z0-9_]`, for `/Voltages/<pathSafeName>_Cell<k>`.
    public var pathSafeName: String
    /// Why this battery cannot be used (a wrong cell count), nil when it can.
    public var problem: String?
    /// What stays the same when the pack comes back under another service name (see `packKey(...)`).
    public var packKey: String
    /// The pack's /CustomName, which names it in the bank's cell ids (reference §3.1).
    public var customName: String?

    public init(service: String, name: String, pathSafeName: String, problem: String? = nil,
                packKey: String? = nil, customName: String? = nil) {
        self.service = service
        self.name = name
        self.pathSafeName = pathSafeName
        self.problem = problem
        self.packKey = packKey ?? "service:" + service
        self.customName = customName
    }

    /// A pack is who its driver says it is: its /Serial (dbus-serialbattery's unique id of the
    /// BMS, stable across ports), else its /CustomName with its /DeviceInstance (kept by the
    /// settings per BMS), else only its service name.
    public static func packKey(serial: String?, customName: String?, deviceInstance: Int?, service: String) -> String {
        if let serial, !serial.isEmpty { return "serial:" + serial }
        if let customName, !customName.isEmpty, let deviceInstance { return "name:\(customName)#\(deviceInstance)" }
        return "service:" + service
    }
}
