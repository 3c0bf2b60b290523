import PluginKit

/// Which strategies the config asks for.
public struct StrategySelection: Equatable, Sendable {
    /// Name of the charge strategy, e.g. "OwnCharge".
    public var charge: String
    /// Name of the SoC strategy, e.g. "OwnSoC".
    public var soc: String

    public init(charge: String, soc: String) {
        self.charge = charge
        self.soc = soc
    }
}

/// The config keys that choose strategies; the errors name them.
public struct StrategySelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [ConfigReader.Problem]
    public var description: String {
        problems.map { "\($0.key) \($0.problem)" }.joined(separator: "; ")
    }
}

/// The strategy names from raw config values: CHARGE_STRATEGY / SOC_STRATEGY win when set
/// (non-empty); else the Python program's switches OWN_CHARGE_PARAMETERS ("OwnCharge" /
/// "BMSCombine") and OWN_SOC ("OwnSoC" / "BMSAverage"), both False when not set.
public func selectStrategies(_ rawValue: (String) -> String?) -> Result<StrategySelection, StrategySelectionError> {
    var problems: [ConfigReader.Problem] = []
    func choose(newKey: String, legacyKey: String, whenTrue: String, whenFalse: String) -> String {
        if let name = rawValue(newKey).map({ String(IniValue.trimmed($0)) }), !name.isEmpty {
            return name
        }
        guard let legacy = rawValue(legacyKey) else { return whenFalse }
        do throws(IniValueProblem) {
            return try IniValue.bool(legacy) ? whenTrue : whenFalse
        } catch {
            problems.append(ConfigReader.Problem(key: legacyKey, problem: error.problem))
            return whenFalse
        }
    }
    let charge = choose(newKey: "CHARGE_STRATEGY", legacyKey: "OWN_CHARGE_PARAMETERS",
                        whenTrue: "OwnCharge", whenFalse: "BMSCombine")
    let soc = choose(newKey: "SOC_STRATEGY", legacyKey: "OWN_SOC", whenTrue: "OwnSoC", whenFalse: "BMSAverage")
    guard problems.isEmpty else { return .failure(StrategySelectionError(problems: problems)) }
    return .success(StrategySelection(charge: charge, soc: soc))
}
