import PluginKit

/// Why a plugin library (or one of its strategies) cannot be used. Names the file, always.
public struct PluginLoadError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The library file, or the name that was looked for.
    public var path: String
    /// Every problem found, each a phrase for people.
    public var reasons: [String]

    public init(path: String, reasons: [String]) {
        self.path = path
        self.reasons = reasons
    }

    public init(path: String, _ reason: String) {
        self.init(path: path, reasons: [reason])
    }

    public var description: String { "\(path): \(reasons.joined(separator: "; "))" }
}

/// A strategy call that returned an error code: what the host logs before falling back.
public struct StrategyFailure: Error, Equatable, CustomStringConvertible, Sendable {
    public var strategy: String
    public var kind: StrategyError.Kind
    /// The raw return code (unknown codes count as internal errors).
    public var code: Int32
    public var message: String

    public init(strategy: String, code: Int32, message: String) {
        self.strategy = strategy
        self.code = code
        if let kind = StrategyError.Kind(rawValue: code) {
            self.kind = kind
            self.message = message.isEmpty ? "no message" : message
        } else {
            self.kind = .internal
            self.message = "unknown return code \(code)" + (message.isEmpty ? "" : ": \(message)")
        }
    }

    public var description: String {
        let label: String
        switch kind {
        case .input: label = "input error"
        case .config: label = "config error"
        case .internal: label = "internal error"
        }
        return "\(strategy): \(label): \(message)"
    }
}
