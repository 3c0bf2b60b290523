/// The naming rules of the D-Bus specification ("Valid Names"), checked before anything is
/// sent, so that a bad name is an error here rather than a disconnect by the bus.
enum NameRules {
    static let maximumLength = 255

    /// `com.victronenergy.BusItem`: two or more dot-separated elements of [A-Za-z0-9_], none
    /// empty or starting with a digit. Error names follow the same rule.
    static func isValidInterface(_ name: String) -> Bool {
        dottedElements(name, allowHyphen: false, allowLeadingDigit: false)
    }

    /// `GetValue`: one element of [A-Za-z0-9_], not starting with a digit.
    static func isValidMember(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength, !isDigit(bytes[0]) else { return false }
        return bytes.allSatisfy { isNameCharacter($0, allowHyphen: false) }
    }

    /// A unique name (`:1.42`, elements may start with a digit) or a well-known name
    /// (`com.victronenergy.battery.ttyUSB0`); both allow '-' and need two or more elements.
    static func isValidBusName(_ name: String) -> Bool {
        if name.utf8.first == UInt8(ascii: ":") {
            return dottedElements(String(name.dropFirst()), allowHyphen: true, allowLeadingDigit: true, length: name.utf8.count)
        }
        return dottedElements(name, allowHyphen: true, allowLeadingDigit: false)
    }

    private static func dottedElements(_ name: String, allowHyphen: Bool, allowLeadingDigit: Bool,
                                       length: Int? = nil) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, (length ?? bytes.count) <= maximumLength else { return false }
        var elements = 0
        var elementLength = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard elementLength > 0 else { return false }
                elements += 1
                elementLength = 0
                continue
            }
            guard isNameCharacter(byte, allowHyphen: allowHyphen) else { return false }
            if elementLength == 0 && !allowLeadingDigit && isDigit(byte) { return false }
            elementLength += 1
        }
        guard elementLength > 0 else { return false }
        return elements + 1 >= 2
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isNameCharacter(_ byte: UInt8, allowHyphen: Bool) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
            || (allowHyphen && byte == UInt8(ascii: "-"))
    }
}
