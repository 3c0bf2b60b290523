import PluginKit

/// SoC strategy "BMSAverage" (reference 3.1 / 3.5 with OWN_SOC = False): the BMSes' values,
/// combined over the batteries online.
public final class BMSAverageSoc: SocStrategyLogic {
    /// CAN batteries may lack /Capacity and /ConsumedAmphours; they are then estimated.
    public let canBatteries: Bool

    public init(canBatteries: Bool) {
        self.canBatteries = canBatteries
    }

    public convenience init(host: StrategyHost) throws(StrategyError) {
        let reader = ConfigReader(host: host)
        let canBatteries = reader.bool(BMSCombineKeys.canBatteries)
        try reader.finish(strategy: "BMSAverage")
        self.init(canBatteries: canBatteries)
    }

    public func tick(_ context: TickContext) throws(StrategyError) -> SocResult {
        try Self.average(of: context.batteries, canBatteries: canBatteries)
    }

    public func shutdown() {}

    /// SoC and TimeToGo weighted by InstalledCapacity; Capacity and ConsumedAh summed.
    public static func average(of batteries: [BatterySnapshot], canBatteries: Bool) throws(StrategyError) -> SocResult {
        guard !batteries.isEmpty else { throw StrategyError(.input, "no battery online") }
        var missing: [String] = []
        var installedSum = 0.0
        var weightedSoc = 0.0
        var weightedTimeToGo: Double? = 0
        var capacitySum = 0.0
        var consumedSum = 0.0
        for battery in batteries {
            guard let installed = battery.installedCapacityAh, let soc = battery.socPercent else {
                missing.append("battery \(battery.name) publishes no "
                    + (battery.installedCapacityAh == nil ? "/InstalledCapacity" : "/Soc"))
                continue
            }
            installedSum += installed
            weightedSoc += soc * installed
            if let timeToGo = battery.timeToGoSeconds, let sum = weightedTimeToGo {
                weightedTimeToGo = sum + timeToGo * installed
            } else {
                weightedTimeToGo = nil
            }
            if let capacity = battery.capacityAh ?? (canBatteries ? installed * soc / 100 : nil) {
                capacitySum += capacity
            } else {
                missing.append("battery \(battery.name) publishes no /Capacity")
            }
            if let consumed = battery.consumedAh ?? (canBatteries ? 0 : nil) {
                consumedSum += consumed
            } else {
                missing.append("battery \(battery.name) publishes no /ConsumedAmphours")
            }
        }
        guard missing.isEmpty else { throw StrategyError(.input, missing.joined(separator: "; ")) }
        guard installedSum > 0 else { throw StrategyError(.input, "installed capacity of the batteries online is 0 Ah") }
        return SocResult(
            socPercent: weightedSoc / installedSum,
            capacityAh: capacitySum,
            consumedAh: consumedSum,
            timeToGoSeconds: weightedTimeToGo.map { $0 / installedSum },
            strategyState: "average of \(batteries.count) BMS")
    }
}
