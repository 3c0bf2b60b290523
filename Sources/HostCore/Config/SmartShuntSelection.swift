/// Which SmartShunts feed the bank current (USE_SMARTSHUNTS).
public enum SmartShuntSelection: Equatable, Sendable {
    /// `False` or `[]`: no shunt is used.
    case none
    /// `True`: every shunt found is used.
    case all
    /// A list such as `[278, "FrontShunt"]`; each entry matches at most one shunt.
    case listed([SmartShuntSelector])

    /// Reads `False`/`True` (configparser booleans) or a bracketed list of VRM instances
    /// (whole numbers) and names (in single or double quotes). A trailing comma is tolerated,
    /// as users write them in every other list of this file.
    public static func parse(_ raw: String) throws(ConfigValueError) -> SmartShuntSelection {
        let text = ConfigText.trimmed(raw)
        guard text.hasPrefix("[") else {
            do {
                return try ConfigValueParsing.bool(text) ? .all : .none
            } catch {
                throw ConfigValueError(expected: "expected True, False or a list like [278, \"FrontShunt\"]")
            }
        }
        guard text.hasSuffix("]"), text.count >= 2 else {
            throw ConfigValueError(expected: "list without closing ']'; expected a list like [278, \"FrontShunt\"]")
        }
        let inner = text.dropFirst().dropLast()
        var selectors: [SmartShuntSelector] = []
        var items = try splitListItems(inner)
        if let last = items.last, ConfigText.trimmed(last).isEmpty { items.removeLast() }
        for item in items {
            selectors.append(try selector(ConfigText.trimmed(item)))
        }
        return selectors.isEmpty ? .none : .listed(selectors)
    }

    private static func selector(_ item: Substring) throws(ConfigValueError) -> SmartShuntSelector {
        if item.isEmpty {
            throw ConfigValueError(expected: "empty list entry; expected a VRM instance or a quoted name")
        }
        if let quote = item.first, quote == "\"" || quote == "'" {
            guard item.count >= 2, item.last == quote else {
                throw ConfigValueError(expected: "unterminated quoted name \(item)")
            }
            let name = item.dropFirst().dropLast()
            if name.isEmpty { throw ConfigValueError(expected: "empty shunt name in the list") }
            return .name(String(name))
        }
        guard let instance = try? ConfigValueParsing.int(String(item)), instance >= 0 else {
            throw ConfigValueError(expected: "list entry \(item) is neither a VRM instance (a whole number >= 0) nor a quoted name")
        }
        return .vrmInstance(instance)
    }

    /// Splits on commas outside quotes; a comma inside a quoted name stays part of the name.
    private static func splitListItems(_ text: Substring) throws(ConfigValueError) -> [Substring] {
        var items: [Substring] = []
        var itemStart = text.startIndex
        var openQuote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let quote = openQuote {
                if character == quote { openQuote = nil }
            } else if character == "\"" || character == "'" {
                openQuote = character
            } else if character == "," {
                items.append(text[itemStart..<index])
                itemStart = text.index(after: index)
            }
            index = text.index(after: index)
        }
        if openQuote != nil { throw ConfigValueError(expected: "unterminated quoted name in the list") }
        items.append(text[itemStart..<text.endIndex])
        if items.count == 1, ConfigText.trimmed(items[0]).isEmpty { return [] }
        return items
    }
}

/// One entry of a USE_SMARTSHUNTS list.
public enum SmartShuntSelector: Equatable, Sendable {
    /// The shunt's `/DeviceInstance` (its VRM instance).
    case vrmInstance(Int)
    /// The value at SMARTSHUNT_INSTANCE_NAME_PATH (usually `/CustomName`).
    case name(String)
}
