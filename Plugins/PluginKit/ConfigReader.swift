// Typed config reading for a strategy's create(): the user's value when it parses, else the
// declared default. Every bad value is reported to the host (which lists all errors of all
// strategies at once), and `finish` turns any of them into a config error for create.

/// Reads a strategy's declared keys over `StrategyHost.configValue`.
public final class ConfigReader {
    /// A key whose value could not be used, and why.
    public struct Problem: Equatable, Sendable {
        public var key: String
        public var problem: String

        public init(key: String, problem: String) {
            self.key = key
            self.problem = problem
        }
    }

    private let host: StrategyHost
    public private(set) var problems: [Problem] = []

    public init(host: StrategyHost) {
        self.host = host
    }

    public func bool(_ key: ConfigKeySpec) -> Bool {
        read(key, fallback: false) { text throws(IniValueProblem) in try IniValue.bool(text) }
    }

    /// `problem` replaces the generic "must be between ..." when the range needs explaining.
    /// A value already reported (bad text, fallen back to the default) is not range-checked again.
    public func int(_ key: ConfigKeySpec, in range: ClosedRange<Int>? = nil, problem: String? = nil) -> Int {
        let reported = problems.count
        let value = read(key, fallback: 0) { text throws(IniValueProblem) in try IniValue.int(text) }
        if let range, problems.count == reported, !range.contains(value) {
            report(key: key.name, problem: problem ?? "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// As `int`, for decimal numbers.
    public func double(_ key: ConfigKeySpec, in range: ClosedRange<Double>? = nil, problem: String? = nil) -> Double {
        let reported = problems.count
        let value = read(key, fallback: 0) { text throws(IniValueProblem) in try IniValue.double(text) }
        if let range, problems.count == reported, !range.contains(value) {
            report(key: key.name, problem: problem
                ?? "must be between \(FixedDecimal.compact(range.lowerBound)) and \(FixedDecimal.compact(range.upperBound))")
        }
        return value
    }

    public func doubleList(_ key: ConfigKeySpec) -> [Double] {
        read(key, fallback: []) { text throws(IniValueProblem) in try IniValue.doubleList(text) }
    }

    /// The trimmed text; a choice among `allowed` words (compared case-insensitively, returned
    /// lowercased) when `allowed` is given.
    public func text(_ key: ConfigKeySpec, allowed: [String]? = nil) -> String {
        read(key, fallback: "") { raw throws(IniValueProblem) in
            let text = String(IniValue.trimmed(raw))
            guard let allowed else { return text }
            let word = IniValue.asciiLowercased(text)
            for choice in allowed where IniValue.asciiLowercased(choice) == word { return word }
            var list = ""
            for choice in allowed {
                if !list.isEmpty { list += ", " }
                list += choice.isEmpty ? "(empty)" : choice
            }
            throw IniValueProblem("must be one of: \(list)")
        }
    }

    /// Reports a problem found across keys (e.g. two lists of different lengths).
    public func report(key: String, problem: String) {
        problems.append(Problem(key: key, problem: problem))
        host.reportConfigError(key: key, problem: problem)
    }

    /// Throws a config error naming every problem reported so far; returns when there is none.
    public func finish(strategy: String) throws(StrategyError) {
        guard !problems.isEmpty else { return }
        var message = "\(strategy): \(problems.count) config error\(problems.count == 1 ? "" : "s"): "
        for (index, problem) in problems.enumerated() {
            if index > 0 { message += "; " }
            message += "\(problem.key) \(problem.problem)"
        }
        throw StrategyError(.config, message)
    }

    private func read<Value>(_ key: ConfigKeySpec, fallback: Value,
                             _ parse: (String) throws(IniValueProblem) -> Value) -> Value {
        if let raw = host.configValue(key.name) {
            do throws(IniValueProblem) {
                return try parse(raw)
            } catch {
                report(key: key.name, problem: error.problem)
            }
        }
        do throws(IniValueProblem) {
            return try parse(key.defaultValue)
        } catch {
            // The strategy's own declared default is wrong: a bug, but still only a config error.
            report(key: key.name, problem: "declared default \"\(key.defaultValue)\" \(error.problem)")
            return fallback
        }
    }
}
