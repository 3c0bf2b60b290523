import VeDbus

/// A SmartShunt 500A/50mV, either as battery monitor (`com.victronenergy.battery.<port>`, with
/// its own SoC) or as DC meter (`com.victronenergy.dcload.<port>`, measuring a DC load).
public final class SimulatedSmartShunt: SimulatedDevice {
    public enum Mode: String, Sendable, CaseIterable {
        case batteryMonitor
        case dcMeter
    }

    public let mode: Mode
    /// The measured current, A. Battery mode: + charging the bank. DC-meter mode: + consumed by the load.
    public var currentA = 0.0
    public var voltageV = 0.0
    /// Battery mode only, %.
    public var socPercent = 0.0
    /// Battery mode only: installed capacity for ConsumedAmphours, Ah.
    public var capacityAh = 0.0

    public init(mode: Mode, port: String, deviceInstance: Int32 = 277, customName: String,
                address: BusAddress, loop: EventLoop) {
        self.mode = mode
        let serviceClass = mode == .batteryMonitor ? "battery" : "dcload"
        let identity = DeviceIdentity(
            processName: "vedirect-dbus", connection: "VE.Direct \(port)", deviceInstance: deviceInstance,
            productId: 0xA389, productName: "SmartShunt 500A/50mV", serial: "HQSIM\(deviceInstance)",
            customName: customName)
        super.init(serviceName: "com.victronenergy.\(serviceClass).\(port)", identity: identity,
                   address: address, loop: loop)
    }

    override func measurementPaths() -> [(String, VeService.TextFormatter?)] {
        var paths: [(String, VeService.TextFormatter?)] = [
            ("/Dc/0/Current", TextFormat.fixed(1, "A")), ("/Dc/0/Voltage", TextFormat.fixed(2, "V")),
            ("/Dc/0/Power", TextFormat.fixed(0, "W")),
        ]
        if mode == .batteryMonitor {
            paths += [("/Soc", TextFormat.fixed(1, "%")), ("/ConsumedAmphours", TextFormat.fixed(1, "Ah")),
                      ("/TimeToGo", TextFormat.fixed(0, "s"))]
        }
        return paths
    }

    override func measurementValues() -> [(String, DBusValue)] {
        let current = (currentA * 10).rounded() / 10
        var values: [(String, DBusValue)] = [
            ("/Dc/0/Current", .double(current)), ("/Dc/0/Voltage", .double((voltageV * 100).rounded() / 100)),
            ("/Dc/0/Power", .double((current * voltageV).rounded())),
        ]
        if mode == .batteryMonitor {
            let remaining = capacityAh * socPercent / 100
            values += [
                ("/Soc", .double((socPercent * 10).rounded() / 10)),
                ("/ConsumedAmphours", .double(((remaining - capacityAh) * 10).rounded() / 10)),
                ("/TimeToGo", SimulatedBattery.timeToGo(remainingAh: remaining, currentA: currentA)),
            ]
        }
        return values
    }
}
