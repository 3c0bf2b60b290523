/// One battery (BMS service) as discovery found it: who it is, not what it measures.
public struct BatteryIdentity: Equatable, Sendable {
    /// D-Bus service name, e.g. `com.victronenergy.battery.ttyUSB0`.
    public var service: String
    /// Unique display name used in lists, logs and cell ids.
    public var name: String
    /// `name` stripped to `[A-Za-z0-9_]`, for `/Voltages/<pathSafeName>_Cell<k>`.
    public var pathSafeName: String
    /// Why this battery cannot be used (a wrong cell count), nil when it can.
    public var problem: String?

    public init(service: String, name: String, pathSafeName: String, problem: String? = nil) {
        self.service = service
        self.name = name
        self.pathSafeName = pathSafeName
        self.problem = problem
    }
}
