import PluginKit

/// A strategy whose declared keys `check-config` explains, and whether the config selects it
/// (a key of a strategy not selected has no effect, which is worth saying).
public struct ReportedStrategy: Equatable, Sendable {
    public var name: String
    public var kind: StrategyKind
    public var isSelected: Bool
    public var keys: [ConfigKeySpec]

    public init(name: String, kind: StrategyKind, isSelected: Bool, keys: [ConfigKeySpec]) {
        self.name = name
        self.kind = kind
        self.isSelected = isSelected
        self.keys = keys
    }

    /// Every strategy of `libraries`, marked selected when `selection` names it for its kind.
    public static func all(in libraries: [LoadedPluginLibrary], selection: StrategySelection?) -> [ReportedStrategy] {
        var result: [ReportedStrategy] = []
        for library in libraries {
            for strategy in library.strategies {
                let chosen = strategy.kind == .charge ? selection?.charge : selection?.soc
                result.append(ReportedStrategy(name: strategy.name, kind: strategy.kind,
                                               isSelected: chosen == strategy.name, keys: strategy.configKeys))
            }
        }
        return result
    }
}
