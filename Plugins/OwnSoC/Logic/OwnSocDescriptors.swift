import PluginKit

/// The strategy of the OwnSoC library, as its Entry exports it.
public enum OwnSocDescriptors {
    public static let ownSoc = StrategyDescriptor(
        name: "OwnSoC", version: "1.0.0",
        summary: "Own coulomb counter over the bank current, reset at full/empty, stored in storedvalue_charge",
        configKeys: OwnSocKeys.all,
        factory: .soc { host throws(StrategyError) in try OwnSoc(host: host) })
}
