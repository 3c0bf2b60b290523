import PluginKit

/// The options and positional argument given to one subcommand, with typed readers whose errors
/// name the option and the value.
public struct ParsedArguments: Equatable, Sendable {
    public internal(set) var values: [String: String] = [:]
    public internal(set) var flags: Set<String> = []
    public internal(set) var positional: String?

    public init() {}

    public func string(_ name: String) -> String? { values[name] }

    public func flag(_ name: String) -> Bool { flags.contains(name) }

    public func int(_ name: String, default fallback: Int) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { throw UsageError("--\(name) \(text): expected a whole number") }
        return value
    }

    public func double(_ name: String, default fallback: Double) throws(UsageError) -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = DecimalText.parse(text) else { throw UsageError("--\(name) \(text): expected a number") }
        return value
    }

    public func bool(_ name: String, default fallback: Bool) throws(UsageError) -> Bool {
        guard let text = values[name] else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw UsageError("--\(name) \(text): expected true or false")
        }
    }
}
