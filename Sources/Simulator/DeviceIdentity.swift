import VeDbus

/// The mandatory paths of every Venus OS device service (velib's add_mandatory_paths): without
/// /DeviceInstance a monitor skips the service, without /ProductName and /Mgmt/Connection
/// systemcalc does not accept a battery.
public struct DeviceIdentity: Sendable, Equatable {
    public var processName: String
    public var processVersion: String = "1.0-sim"
    /// `/Mgmt/Connection`, e.g. "Serial ttyUSB0".
    public var connection: String
    /// Unique per device class: systemcalc keys batteries by it.
    public var deviceInstance: Int32
    public var productId: Int32
    public var productName: String
    public var serial: String
    public var customName: String
    public var firmwareVersion: String = "1.0"
    public var hardwareVersion: String = "sim"
    /// `/Connected`: 1 while the device talks to its driver.
    public var connected: Int32 = 1

    public init(processName: String, connection: String, deviceInstance: Int32, productId: Int32,
                productName: String, serial: String, customName: String) {
        self.processName = processName
        self.connection = connection
        self.deviceInstance = deviceInstance
        self.productId = productId
        self.productName = productName
        self.serial = serial
        self.customName = customName
    }

    public var values: [(String, DBusValue)] {
        [
            ("/Mgmt/ProcessName", .string(processName)),
            ("/Mgmt/ProcessVersion", .string(processVersion)),
            ("/Mgmt/Connection", .string(connection)),
            ("/DeviceInstance", .int32(deviceInstance)),
            ("/ProductId", .int32(productId)),
            ("/ProductName", .string(productName)),
            ("/Serial", .string(serial)),
            ("/CustomName", .string(customName)),
            ("/FirmwareVersion", .string(firmwareVersion)),
            ("/HardwareVersion", .string(hardwareVersion)),
            ("/Connected", .int32(connected)),
        ]
    }
}
