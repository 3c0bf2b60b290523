import VeDbus

/// A MultiPlus-II on VE.Bus (`com.victronenergy.vebus.<port>`): its DC current is the part of
/// the bank current that the inverter/charger carries (+ charging the battery).
public final class SimulatedMulti: SimulatedDevice {
    /// DC current into the battery, A (+ charging, − inverting).
    public var dcCurrentA = 0.0
    /// DC voltage at its terminals, V.
    public var dcVoltageV = 0.0

    public init(port: String = "ttyS3", deviceInstance: Int32 = 276, address: BusAddress, loop: EventLoop) {
        let identity = DeviceIdentity(
            processName: "mk2-dbus", connection: "VE.Bus", deviceInstance: deviceInstance,
            productId: 0x2623, productName: "MultiPlus-II", serial: "HQSIM\(deviceInstance)",
            customName: "Multi")
        super.init(serviceName: "com.victronenergy.vebus.\(port)", identity: identity, address: address, loop: loop)
    }

    /// `/Connected`: the aggregator ignores the Multi's current while it is 0.
    public var isConnected: Bool {
        get { identity.connected != 0 }
        set { identity.connected = newValue ? 1 : 0 }
    }

    override func measurementPaths() -> [(String, VeService.TextFormatter?)] {
        [("/Dc/0/Current", TextFormat.fixed(1, "A")), ("/Dc/0/Voltage", TextFormat.fixed(2, "V")),
         ("/Dc/0/Power", TextFormat.fixed(0, "W")), ("/State", nil), ("/Mode", nil)]
    }

    override func measurementValues() -> [(String, DBusValue)] {
        let current = (dcCurrentA * 10).rounded() / 10
        return [("/Dc/0/Current", .double(current)), ("/Dc/0/Voltage", .double((dcVoltageV * 100).rounded() / 100)),
                ("/Dc/0/Power", .double((current * dcVoltageV).rounded())),
                // VE.Bus state: 3 bulk while charging, 9 inverting otherwise; mode 3 = on.
                ("/State", .int32(dcCurrentA > 0 ? 3 : 9)), ("/Mode", .int32(3))]
    }
}
