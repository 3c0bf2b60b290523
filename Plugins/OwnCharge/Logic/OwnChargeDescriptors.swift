import PluginKit

/// The strategy of the OwnCharge library, as its Entry exports it.
public enum OwnChargeDescriptors {
    public static let version = "1.0.0"

    public static let ownCharge = StrategyDescriptor(
        name: "OwnCharge", version: version,
        summary: "Own charge algorithm: monthly CVL, balancing every BALANCING_REPETITION days, dynamic CVL on cell peaks, CCL/DCL from cell voltage tables",
        configKeys: OwnChargeConfigKeys.declared,
        factory: .charge { host throws(StrategyError) in try OwnChargeStrategy(host: host) })
}
