// A strategy described in Swift: what the host lists, and how to make its logic.

/// What a strategy computes (values as `dab_strategy_kind`).
public enum StrategyKind: Int32, Sendable {
    case charge = 1
    case soc = 2
}

/// Makes a strategy's logic object from the host's services; throws on a bad config.
public enum StrategyFactory: Sendable {
    case charge(@Sendable (StrategyHost) throws(StrategyError) -> ChargeStrategyLogic)
    case soc(@Sendable (StrategyHost) throws(StrategyError) -> SocStrategyLogic)
}

/// One strategy of a plugin library, in Swift terms.
public struct StrategyDescriptor: Sendable {
    /// As CHARGE_STRATEGY / SOC_STRATEGY name it, e.g. "BMSCombine".
    public var name: String
    /// e.g. "1.0.0"
    public var version: String
    /// One line for the `plugins` listing.
    public var summary: String
    /// Every key the strategy reads, with defaults and meanings.
    public var configKeys: [ConfigKeySpec]
    public var factory: StrategyFactory

    public var kind: StrategyKind {
        switch factory {
        case .charge: return .charge
        case .soc: return .soc
        }
    }

    public init(name: String, version: String, summary: String, configKeys: [ConfigKeySpec],
                factory: StrategyFactory) {
        self.name = name
        self.version = version
        self.summary = summary
        self.configKeys = configKeys
        self.factory = factory
    }
}
