/// The naming rules of the D-Bus specification ("Valid Names"): checked before anything is
/// sent, so that a bad name is an error here rather than a disconnect by the bus, and on every
/// received header field, so that a name a peer made up never reaches a handler.
///
/// The checks read UTF-8 bytes where they lie (a received message's header): no String is made.
enum NameRules {
    static let maximumLength = 255

    /// `com.victronenergy.BusItem`: two or more dot-separated elements of [A-Za-z0-9_], none
    /// empty or starting with a digit. Error names follow the same rule.
    static func isValidInterface(_ name: String) -> Bool {
        withBytes(name) { isValidInterface(bytes: $0) }
    }

    /// `GetValue`: one element of [A-Za-z0-9_], not starting with a digit.
    static func isValidMember(_ name: String) -> Bool {
        withBytes(name) { isValidMember(bytes: $0) }
    }

    /// A unique name (`:1.42`, elements may start with a digit) or a well-known name
    /// (`com.victronenergy.battery.ttyUSB0`); both allow '-' and need two or more elements.
    static func isValidBusName(_ name: String) -> Bool {
        withBytes(name) { isValidBusName(bytes: $0) }
    }

    static func isValidInterface(bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count <= maximumLength && dottedElements(bytes, from: 0, allowHyphen: false, allowLeadingDigit: false)
    }

    static func isValidMember(bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumLength, !isDigit(bytes[0]) else { return false }
        for byte in bytes where !isNameCharacter(byte, allowHyphen: false) { return false }
        return true
    }

    static func isValidBusName(bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= maximumLength else { return false }
        if bytes.first == UInt8(ascii: ":") {
            return dottedElements(bytes, from: 1, allowHyphen: true, allowLeadingDigit: true)
        }
        return dottedElements(bytes, from: 0, allowHyphen: true, allowLeadingDigit: false)
    }

    private static func withBytes(_ name: String, _ check: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var name = name
        return name.withUTF8 { check(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `bytes[start...]` is two or more non-empty elements separated by dots.
    private static func dottedElements(_ bytes: UnsafeRawBufferPointer, from start: Int, allowHyphen: Bool,
                                       allowLeadingDigit: Bool) -> Bool {
        guard bytes.count > start else { return false }
        var elements = 0
        var elementLength = 0
        for index in start..<bytes.count {
            let byte = bytes[index]
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
        isElementByte(byte) || (allowHyphen && byte == UInt8(ascii: "-"))
    }

    /// [A-Za-z0-9_] as bits, bytes 0-63 and 64-127: every received header has a sender and a
    /// path checked byte by byte, so one shift and test per byte instead of six compares.
    private static let lowElementBytes: UInt64 = 0x03FF_0000_0000_0000
    private static let highElementBytes: UInt64 = 0x07FF_FFFE_87FF_FFFE

    /// Whether `byte` may appear in an element of a name or an object path: [A-Za-z0-9_].
    @inline(__always)
    static func isElementByte(_ byte: UInt8) -> Bool {
        if byte < 64 { return (lowElementBytes >> UInt64(byte)) & 1 != 0 }
        if byte < 128 { return (highElementBytes >> UInt64(byte &- 64)) & 1 != 0 }
        return false
    }
}
