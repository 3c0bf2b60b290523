/// The aggregate's measured values, one field per published path; nil publishes invalid.
public struct BankValues: Equatable, Sendable {
    /// Batteries counted in these values (online this tick).
    public var batteriesOnline = 0
    public var voltage: Double?                 // /Dc/0/Voltage, V
    public var current: Double?                 // /Dc/0/Current, A (+ = charging)
    public var power: Double?                   // /Dc/0/Power, W
    public var temperature: Double?             // /Dc/0/Temperature, degrees C
    public var installedCapacityAh: Double?     // /InstalledCapacity
    public var capacityAh: Double?              // /Capacity (BMS sum)
    public var consumedAh: Double?              // /ConsumedAmphours (BMS sum, <= 0)
    public var socPercent: Double?              // /Soc (capacity-weighted BMS mean)
    public var timeToGoSeconds: Double?         // /TimeToGo
    public var maxCellTemperature: Double?      // /System/MaxCellTemperature
    public var maxTemperatureCellId: String?    // /System/MaxTemperatureCellId
    public var minCellTemperature: Double?      // /System/MinCellTemperature
    public var minTemperatureCellId: String?    // /System/MinTemperatureCellId
    public var maxCellVoltage: Double?          // /System/MaxCellVoltage, V
    public var maxVoltageCellId: String?        // /System/MaxVoltageCellId
    public var minCellVoltage: Double?          // /System/MinCellVoltage, V
    public var minVoltageCellId: String?        // /System/MinVoltageCellId
    public var voltagesSum: Double?             // /Voltages/Sum, V (mean of the batteries)
    public var voltagesDiff: Double?            // /Voltages/Diff, V, 3 decimals
    public var modulesOnline: Int?              // /System/NrOfModulesOnline
    public var modulesOffline: Int?             // /System/NrOfModulesOffline
    public var modulesBlockingCharge: Int?      // /System/NrOfModulesBlockingCharge
    public var modulesBlockingDischarge: Int?   // /System/NrOfModulesBlockingDischarge
    public var cellsPerBattery: Int?            // /System/NrOfCellsPerBattery
    public var alarms = AlarmLevels()           // /Alarms/*, worst over the batteries
    public var allowToCharge: Int?              // /Io/AllowToCharge, minimum
    public var allowToDischarge: Int?           // /Io/AllowToDischarge, minimum
    public var allowToBalance: Int?             // /Io/AllowToBalance, minimum

    public init() {}
}
