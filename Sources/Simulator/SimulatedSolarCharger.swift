import VeDbus

/// A SmartSolar MPPT (`com.victronenergy.solarcharger.<port>`): its output current always
/// charges the bank.
public final class SimulatedSolarCharger: SimulatedDevice {
    /// Output current into the battery, A (≥ 0).
    public var dcCurrentA = 0.0
    public var dcVoltageV = 0.0

    public init(port: String, deviceInstance: Int32, address: BusAddress, loop: EventLoop) {
        let identity = DeviceIdentity(
            processName: "vedirect-dbus", connection: "VE.Direct \(port)", deviceInstance: deviceInstance,
            productId: 0xA057, productName: "SmartSolar Charger MPPT 250/100", serial: "HQSIM\(deviceInstance)",
            customName: "MPPT \(deviceInstance)")
        super.init(serviceName: "com.victronenergy.solarcharger.\(port)", identity: identity,
                   address: address, loop: loop)
    }

    override func measurementPaths() -> [(String, VeService.TextFormatter?)] {
        [("/Dc/0/Current", TextFormat.fixed(1, "A")), ("/Dc/0/Voltage", TextFormat.fixed(2, "V")),
         ("/Yield/Power", TextFormat.fixed(0, "W")), ("/State", nil)]
    }

    override func measurementValues() -> [(String, DBusValue)] {
        let current = (max(0, dcCurrentA) * 10).rounded() / 10
        return [("/Dc/0/Current", .double(current)), ("/Dc/0/Voltage", .double((dcVoltageV * 100).rounded() / 100)),
                ("/Yield/Power", .double((current * dcVoltageV).rounded())),
                // Charger state: 3 bulk while producing, 0 off at night.
                ("/State", .int32(current > 0 ? 3 : 0))]
    }
}
