import VeDbus

/// The bookkeeping of a localsettings look-alike, free of the bus: adding settings with
/// localsettings' error codes, casting and range-checking writes.
public struct SettingsStore: Sendable {
    /// localsettings' AddSetting(s) error codes (victron-dbus.md §4).
    public enum AddError: Int32, Error, Sendable {
        case leadingUnderscore = -2
        case unknownType = -3
        case badPath = -4
        case typeDiffers = -5
        case badDefault = -6
        case defaultOutOfRange = -7
        case isGroup = -8
        case notUnderSettings = -9
    }

    public private(set) var settings: [String: Setting] = [:]

    public init() {}

    public subscript(path: String) -> Setting? { settings[path] }

    /// True for "/" and every path that has settings below it.
    public func isGroup(_ path: String) -> Bool {
        if path == "/" { return true }
        let prefix = path + "/"
        return settings.keys.contains { $0.hasPrefix(prefix) }
    }

    /// `base` + `relative` as one absolute path, empty components dropped.
    public static func join(_ base: String, _ relative: String...) -> String {
        let parts = ([base] + relative).flatMap { $0.split(separator: "/") }
        return "/" + parts.joined(separator: "/")
    }

    /// Adds a setting, or updates the attributes of an existing one (which keeps its value).
    /// Returns whether it was new.
    @discardableResult
    public mutating func add(path: String, kind: Kind?, defaultValue: DBusValue, min: DBusValue?, max: DBusValue?,
                             silent: Bool) throws(AddError) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path.hasPrefix("/"), !components.isEmpty else { throw .badPath }
        if components.contains(where: { $0.hasPrefix("_") }) { throw .leadingUnderscore }
        guard components.allSatisfy({ !$0.isEmpty && $0.allSatisfy(Self.isPathCharacter) }) else { throw .badPath }
        guard components.first == "Settings", components.count >= 2 else { throw .notUnderSettings }
        guard let kind else { throw .unknownType }
        if isGroup(path) { throw .isGroup }
        // A setting cannot hold settings below it.
        var ancestor = ""
        for component in components.dropLast() {
            ancestor += "/" + component
            if settings[ancestor] != nil { throw .badPath }
        }
        guard let castDefault = kind.cast(defaultValue) else { throw .badDefault }
        let low = min.flatMap { kind == .string ? DBusValue.string("") : kind.cast($0) } ?? Self.zero(kind)
        let high = max.flatMap { kind == .string ? DBusValue.string("") : kind.cast($0) } ?? Self.zero(kind)
        var setting = Setting(kind: kind, value: castDefault, defaultValue: castDefault, min: low, max: high,
                              silent: silent)
        guard setting.allows(castDefault) else { throw .defaultOutOfRange }
        if let existing = settings[path] {
            guard existing.kind == kind else { throw .typeDiffers }
            setting.value = existing.value
            settings[path] = setting
            return false
        }
        settings[path] = setting
        return true
    }

    public typealias Kind = Setting.Kind

    /// SetValue: 0 when stored (also if unchanged), −1 when it cannot be cast or is out of range.
    /// `changed` tells whether the value moved.
    public mutating func write(_ value: DBusValue, to path: String) -> (code: Int32, changed: Bool) {
        guard var setting = settings[path], let cast = setting.kind.cast(value), setting.allows(cast) else {
            return (-1, false)
        }
        guard cast != setting.value else { return (0, false) }
        setting.value = cast
        settings[path] = setting
        return (0, true)
    }

    /// RemoveSettings: 0 when it existed, −1 otherwise.
    public mutating func remove(_ path: String) -> Int32 {
        settings.removeValue(forKey: path) == nil ? -1 : 0
    }

    private static func zero(_ kind: Kind) -> DBusValue {
        switch kind {
        case .integer: return .int32(0)
        case .float: return .double(0)
        case .string: return .string("")
        }
    }

    private static func isPathCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_")
    }
}
