import VeDbus

/// `com.victronenergy.system` (systemcalc): the aggregator reads /SystemState/LowSoc; the
/// /Dc/Battery/* summary is there for tools and the demo.
public final class SimulatedSystem: SimulatedDevice {
    /// 1 only with ESS below its minimum SoC (victron-dbus.md §4).
    public var lowSoc = false
    public var batteryVoltageV = 0.0
    public var batteryCurrentA = 0.0
    public var batterySocPercent = 0.0

    public init(address: BusAddress, loop: EventLoop) {
        let identity = DeviceIdentity(
            processName: "dbus_systemcalc.py", connection: "data from other dbus processes",
            deviceInstance: 0, productId: 0, productName: "Venus GX (simulated)", serial: "SIM-GX",
            customName: "")
        super.init(serviceName: "com.victronenergy.system", identity: identity, address: address, loop: loop)
    }

    override func measurementPaths() -> [(String, VeService.TextFormatter?)] {
        [("/SystemState/LowSoc", nil), ("/Dc/Battery/Voltage", TextFormat.fixed(2, "V")),
         ("/Dc/Battery/Current", TextFormat.fixed(1, "A")), ("/Dc/Battery/Power", TextFormat.fixed(0, "W")),
         ("/Dc/Battery/Soc", TextFormat.fixed(1, "%"))]
    }

    override func measurementValues() -> [(String, DBusValue)] {
        let current = (batteryCurrentA * 10).rounded() / 10
        return [("/SystemState/LowSoc", .int32(lowSoc ? 1 : 0)),
                ("/Dc/Battery/Voltage", .double((batteryVoltageV * 100).rounded() / 100)),
                ("/Dc/Battery/Current", .double(current)),
                ("/Dc/Battery/Power", .double((current * batteryVoltageV).rounded())),
                ("/Dc/Battery/Soc", .double((batterySocPercent * 10).rounded() / 10))]
    }
}
