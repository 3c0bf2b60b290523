import CSystem

/// Reads the `a{sa{sv}}` of an ItemsChanged signal straight from the message's bytes.
///
/// Every battery sends one of these a second with dozens of changed paths, so this is the
/// daemon's hottest input. The generic `MessageCoding.decode` builds a `DBusValue` tree for it
/// (arrays of entries, a boxed variant per value, a String per path and per Text) only for the
/// monitor to take it apart again; here each item's path is handed out as a C string inside
/// the message, a "Value" of a basic type is read in place (others through the generic
/// reader), and the "Text" is stepped over without being read. Every length is checked.
enum ItemsDecoding {
    /// The only signature this reader takes; anything else goes through the generic decoder.
    static let signature = "a{sa{sv}}"

    /// For each item: asks `slot` where its path goes (its bytes inside the message, valid only
    /// during the call, without the NUL); nil skips the item without reading its value. Then
    /// calls `number` with the slot and the unwrapped "Value" when it is a double (the value
    /// nearly every battery path carries, so that it travels without a `DBusValue` around it),
    /// `other` for any other value, or `tooLarge` with the item's size when its fields take
    /// more than `maximumItemBytes` (never decoded). Items without a "Value" are skipped, as
    /// the generic path skips them. The message must have the signature `a{sa{sv}}` (an
    /// ItemsChanged signal or a GetItems reply). Inlined, so that the caller's closures are code
    /// in its loop, not calls.
    @inline(__always)
    static func forEachItem(in message: Message, maximumItemBytes: Int = Int.max,
                            slot: (UnsafeRawBufferPointer) -> Int?,
                            number: (Int, Double) -> Void,
                            other: (Int, DBusValue) -> Void,
                            tooLarge: (Int, Int) -> Void = { _, _ in }) throws(DBusCodingError) {
        let frame = message.frame
        let failure: DBusCodingError? = frame.withUnsafeBytes { raw in
            var reader = ByteCursor(raw, bigEndian: message.header.bigEndian, offset: message.header.bodyStart, end: raw.count)
            do throws(DBusCodingError) {
                var items = try reader.array()
                while items.offset < items.end {
                    try items.align(8)
                    let path = try items.string()
                    var fields = try items.array()
                    guard let index = slot(UnsafeRawBufferPointer(rebasing: raw[path])) else { continue }
                    if fields.end &- fields.offset > maximumItemBytes {
                        tooLarge(index, fields.end &- fields.offset)
                        continue
                    }
                    if let value = fields.plainNumber() {
                        number(index, value)
                        continue
                    }
                    switch try value(ofFields: &fields, frame: frame) {
                    case .none: break
                    case .number(let value): number(index, value)
                    case .other(let value): other(index, value)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// The signature of a PropertiesChanged signal this reader takes.
    static let propertiesSignature = "a{sv}"

    /// What a PropertiesChanged carries under "Value".
    enum PropertyValue {
        /// No "Value" field.
        case none
        case number(Double)
        case other(DBusValue)
    }

    /// The unwrapped "Value" of a PropertiesChanged body (`a{sv}`, one path's new fields), read
    /// in place like an ItemsChanged item: dbus-serialbattery sends one such signal per changed
    /// path, hundreds a second, nearly all `{"Value": <double>, "Text": <string>}`.
    /// The caller checks the body's size first.
    static func propertyValue(in message: Message) throws(DBusCodingError) -> PropertyValue {
        let frame = message.frame
        let result: Result<PropertyValue, DBusCodingError> = frame.withUnsafeBytes { raw in
            var reader = ByteCursor(raw, bigEndian: message.header.bigEndian, offset: message.header.bodyStart, end: raw.count)
            do throws(DBusCodingError) {
                var fields = try reader.array()
                if let value = fields.plainNumber() { return .success(.number(value)) }
                switch try value(ofFields: &fields, frame: frame) {
                case .none: return .success(.none)
                case .number(let value): return .success(.number(value))
                case .other(let value): return .success(.other(value))
                }
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The number of a PropertiesChanged body (`a{sv}` at `bodyStart` of `raw`, a whole
    /// message) laid out the usual way (`ByteCursor.plainNumber`); nil for anything else, which
    /// `propertyValue(in:)` then reads, giving the same number for everything this accepts.
    static func plainPropertyNumber(in raw: UnsafeRawBufferPointer, bigEndian: Bool, bodyStart: Int) -> Double? {
        var reader = ByteCursor(raw, bigEndian: bigEndian, offset: bodyStart, end: raw.count)
        guard let fields = try? reader.array() else { return nil }
        return fields.plainNumber()
    }

    /// Every item's path and unwrapped "Value" as a `DBusValue` (for tests and tools).
    static func forEachItem(in message: Message,
                            _ body: (UnsafeRawBufferPointer, DBusValue) -> Void) throws(DBusCodingError) {
        var paths: [[UInt8]] = []
        func withPath(_ index: Int, _ value: DBusValue) {
            paths[index].withUnsafeBytes { body($0, value) }
        }
        try forEachItem(in: message, slot: { path in
            paths.append(Array(path))
            return paths.count - 1
        }, number: { withPath($0, .double($1)) }, other: withPath)
    }

    /// What one item's fields hold under "Value".
    private enum FoundValue {
        case none
        case number(Double)
        case other(DBusValue)

        var isNone: Bool {
            if case .none = self { return true }
            return false
        }
    }

    /// The unwrapped "Value" of one item's `a{sv}` (the first, if a sender repeats it); the
    /// other fields are stepped over, a "Text" without making a String of it.
    private static func value(ofFields fields: inout ByteCursor, frame: [UInt8]) throws(DBusCodingError) -> FoundValue {
        var found = FoundValue.none
        while fields.offset < fields.end {
            try fields.align(8)
            let key = try fields.string()
            let wanted = found.isNone && fields.equals(key, "Value")
            let type = try fields.signature()
            if type.count == 1 {
                let code = fields.raw[type.lowerBound]
                if code == UInt8(ascii: "d") {
                    let value = Double(bitPattern: try fields.uint64())
                    if wanted { found = .number(value) }
                    continue
                }
                if code == UInt8(ascii: "s") {
                    let text = try fields.string()
                    if wanted {
                        found = .other(.string(String(decoding: UnsafeRawBufferPointer(rebasing: fields.raw[text]), as: UTF8.self)))
                    }
                    continue
                }
                if let basic = try fields.basic(code) {
                    if wanted { found = .other(basic) }
                    continue
                }
            }
            // Containers (an invalid value is an empty array) and nested variants: the generic reader.
            guard TypeSignature.isValid(frame, type, single: true) else { throw DBusCodingError("invalid variant signature") }
            var generic = WireReader(frame, bigEndian: fields.bigEndian, offset: fields.offset, end: fields.end)
            var index = type.lowerBound
            // Depth as inside the whole argument: array, entry's array, variant.
            let value = try MessageCoding.read(&generic, frame, &index, depth: 3)
            fields.offset = generic.offset
            if wanted { found = .other(value.unwrapped) }
        }
        return found
    }
}
