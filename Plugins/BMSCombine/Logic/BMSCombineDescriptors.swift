import PluginKit

/// The strategies of the BMSCombine library, as its Entry exports them.
public enum BMSCombineDescriptors {
    public static let version = "1.0.0"

    public static let charge = StrategyDescriptor(
        name: "BMSCombine", version: version,
        summary: "Charge limits combined from the BMSes: CVL by CVL_MODE, CCL/DCL by CURRENT_LIMIT_POLICY over the batteries online",
        configKeys: [BMSCombineKeys.keepMaxCvl, BMSCombineKeys.canBatteries, BMSCombineKeys.currentLimitPolicy,
                     BMSCombineKeys.cvlMode, BMSCombineKeys.cvlMaxSpread, BMSCombineKeys.maxCellVoltage,
                     BMSCombineKeys.blockingPackStopsBank],
        factory: .charge { host throws(StrategyError) in try BMSCombineCharge(host: host) })

    public static let average = StrategyDescriptor(
        name: "BMSAverage", version: version,
        summary: "SoC as the capacity-weighted average of the BMSes; Capacity and ConsumedAh summed",
        configKeys: [BMSCombineKeys.canBatteries],
        factory: .soc { host throws(StrategyError) in try BMSAverageSoc(host: host) })
}
