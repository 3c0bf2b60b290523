/// What a simulated Venus system consists of.
public struct SimulationConfig: Sendable, Equatable {
    public var batteryCount: Int = 2
    public var cellsPerBattery: Int = 16
    public var capacityAh: Double = 280
    /// Each battery's capacity, Ah, by index; a battery beyond the list has `capacityAh`
    /// (packs of different sizes in one bank).
    public var capacitiesAh: [Double] = []
    public var initialSocPercent: Double = 55
    /// Each battery's SoC at the start, %, by index; a battery beyond the list starts at
    /// `initialSocPercent` (packs in different phases of their charge).
    public var initialSocsPercent: [Double] = []
    /// See `BatteryParameters.floatVoltagePerCellV` and `reportsBalancing`.
    public var floatVoltagePerCellV: Double?
    public var reportsBalancing = false
    /// [battery][cell] SoC offsets, percentage points (see BatteryParameters); missing = 0.
    public var cellSocOffsetsPercent: [[Double]] = []
    /// [battery][cell] voltage offsets, V; missing battery = a small default spread.
    public var cellVoltageOffsetsV: [[Double]] = []
    /// CVL per cell, V.
    public var chargeVoltagePerCellV: Double = 3.45
    /// Each BMS's CCL and DCL before tapering, A.
    public var maxChargeCurrentA: Double = 100
    public var maxDischargeCurrentA: Double = 150
    public var mpptCount: Int = 1
    public var hasMulti: Bool = true
    public var shunts: [ShuntConfig] = []
    /// /DeviceInstance of the first battery; the others follow.
    public var firstBatteryDeviceInstance: Int32 = 1
    /// Each BMS's readings jitter as real ones do (cells ±1 mV, current ±0.01 A, from a
    /// seeded generator), so every battery publishes every second. Off: values change only
    /// when the physics moves them, and a quiet bank can be silent for many seconds.
    public var measurementNoise = false
    /// How the batteries announce changes: per path, as dbus-serialbattery does (the default),
    /// or one ItemsChanged per second.
    public var batteryPublishMode = PublishMode.propertiesChanged

    public init() {}

    /// A SmartShunt in the system.
    public struct ShuntConfig: Sendable, Equatable {
        public var mode: SimulatedSmartShunt.Mode
        public var port: String
        public var deviceInstance: Int32
        public var customName: String
        /// DC-meter mode: the load it measures, A (+ consumed).
        public var loadCurrentA: Double

        public init(mode: SimulatedSmartShunt.Mode, port: String, deviceInstance: Int32, customName: String,
                    loadCurrentA: Double = 0) {
            self.mode = mode
            self.port = port
            self.deviceInstance = deviceInstance
            self.customName = customName
            self.loadCurrentA = loadCurrentA
        }

        public static func batteryMonitor(port: String = "ttyS5", deviceInstance: Int32 = 277,
                                          customName: String = "MainShunt") -> ShuntConfig {
            ShuntConfig(mode: .batteryMonitor, port: port, deviceInstance: deviceInstance, customName: customName)
        }

        public static func dcMeter(port: String = "ttyS6", deviceInstance: Int32 = 278,
                                   customName: String = "DcLoads", loadCurrentA: Double = 5) -> ShuntConfig {
            ShuntConfig(mode: .dcMeter, port: port, deviceInstance: deviceInstance, customName: customName,
                        loadCurrentA: loadCurrentA)
        }
    }

    /// The parameters of battery `index` (0-based).
    /// The SoC battery `index` starts at, %.
    public func initialSoc(_ index: Int) -> Double {
        index < initialSocsPercent.count ? initialSocsPercent[index] : initialSocPercent
    }

    public func batteryParameters(_ index: Int) -> BatteryParameters {
        var parameters = BatteryParameters(
            cellCount: cellsPerBattery, capacityAh: index < capacitiesAh.count ? capacitiesAh[index] : capacityAh,
            cellSocOffsetsPercent: index < cellSocOffsetsPercent.count ? cellSocOffsetsPercent[index] : [],
            cellVoltageOffsetsV: index < cellVoltageOffsetsV.count ? cellVoltageOffsetsV[index] : nil,
            chargeVoltagePerCellV: chargeVoltagePerCellV,
            maxChargeCurrentA: maxChargeCurrentA, maxDischargeCurrentA: maxDischargeCurrentA)
        parameters.floatVoltagePerCellV = floatVoltagePerCellV
        parameters.reportsBalancing = reportsBalancing
        return parameters
    }
}
