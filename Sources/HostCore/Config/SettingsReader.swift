import PluginKit

/// Reads typed host keys from a `LayeredConfig`, recording a located problem for every bad
/// value and returning a harmless placeholder so reading can go on and report everything.
struct SettingsReader {
    let config: LayeredConfig
    private(set) var problems: [ConfigProblem] = []

    init(config: LayeredConfig) {
        self.config = config
    }

    /// Records a problem about the effective value of `key`.
    mutating func report(_ key: String, _ message: String, kind: ConfigProblem.Kind = .invalidValue) {
        let setting = config.setting(forKey: key)
        problems.append(ConfigProblem(kind: kind, location: setting?.location, key: setting?.key ?? key,
                                      value: setting?.value, message: message))
    }

    /// The raw value, or nil (with a problem) when no file sets the key: the shipped default
    /// file must carry every host key.
    private mutating func raw(_ key: String) -> String? {
        guard let value = config.value(forKey: key) else {
            report(key, "missing: not in config.default.ini nor config.ini (is config.default.ini complete?)",
                   kind: .missingKey)
            return nil
        }
        return value
    }

    mutating func text(_ key: String, allowEmpty: Bool) -> String {
        guard let value = raw(key) else { return "" }
        if !allowEmpty, value.isEmpty { report(key, "must not be empty") }
        return value
    }

    mutating func optionalText(_ key: String) -> String? {
        guard let value = raw(key), !value.isEmpty else { return nil }
        return value
    }

    /// An absolute file path, or nil when empty: a relative one would depend on the folder the
    /// service happens to start in.
    mutating func optionalAbsolutePath(_ key: String) -> String? {
        guard let value = optionalText(key) else { return nil }
        guard value.hasPrefix("/") else {
            report(key, "expected an absolute path starting with '/'")
            return nil
        }
        return value
    }

    /// A comma-separated list of words, each trimmed; empty entries are dropped.
    mutating func list(_ key: String) -> [String] {
        guard let value = optionalText(key) else { return [] }
        return value.split(separator: ",").map { ConfigText.trimmed(String($0)) }.filter { !$0.isEmpty }
    }

    /// A D-Bus object path such as `/CustomName`.
    mutating func busPath(_ key: String) -> String {
        let value = text(key, allowEmpty: false)
        if !value.isEmpty, !value.hasPrefix("/") { report(key, "expected a D-Bus path starting with '/'") }
        return value
    }

    mutating func bool(_ key: String) -> Bool {
        guard let value = raw(key) else { return false }
        do {
            return try ConfigValueParsing.bool(value)
        } catch {
            report(key, error.expected)
            return false
        }
    }

    mutating func int(_ key: String, atLeast minimum: Int, hint: String = "") -> Int {
        guard let value = raw(key) else { return minimum }
        do {
            let number = try ConfigValueParsing.int(value)
            if number < minimum { report(key, "must be at least \(minimum)\(hint)") }
            return number
        } catch {
            report(key, error.expected)
            return minimum
        }
    }

    /// A duration in seconds; decimals are accepted (the original took whole seconds only).
    mutating func seconds(_ key: String, allowZero: Bool) -> Double {
        guard let value = raw(key) else { return 1 }
        do {
            let seconds = try ConfigValueParsing.number(value)
            if allowZero ? seconds < 0 : seconds <= 0 {
                report(key, allowZero ? "must be 0 s or more" : "must be more than 0 s")
            }
            return seconds
        } catch {
            report(key, error.expected + " of seconds")
            return 1
        }
    }

    /// A current in A, 0 or more.
    mutating func amps(_ key: String) -> Double {
        guard let value = raw(key) else { return 0 }
        do {
            let amps = try ConfigValueParsing.number(value)
            if amps < 0 { report(key, "must be 0 A or more") }
            return amps
        } catch {
            report(key, error.expected + " of amperes")
            return 0
        }
    }

    mutating func smartShunts(_ key: String) -> SmartShuntSelection {
        guard let value = raw(key) else { return .none }
        do {
            return try SmartShuntSelection.parse(value)
        } catch {
            report(key, error.expected)
            return .none
        }
    }

    /// A strategy name as plugins declare it (letters, digits, `_`, `-`, `.`); empty = nil.
    mutating func strategyName(_ key: String) -> String? {
        guard let value = raw(key), !value.isEmpty else { return nil }
        let valid = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        if !valid { report(key, "expected a strategy name (letters, digits, '_', '-', '.') or nothing") }
        return value
    }

    mutating func logLevel(_ key: String) -> LogLevel {
        guard let value = raw(key) else { return .info }
        switch ConfigText.uppercasedASCII(value) {
        case "ERROR": return .error
        case "WARNING": return .warning
        case "INFO": return .info
        case "DEBUG": return .debug
        default:
            report(key, "expected ERROR, WARNING, INFO or DEBUG")
            return .info
        }
    }
}
