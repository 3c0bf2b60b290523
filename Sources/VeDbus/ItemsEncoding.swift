/// Writes the `a{sa{sv}}` of an ItemsChanged signal straight into wire form.
///
/// The aggregate sends one every tick. The generic path builds a `DBusValue` tree first (an
/// entry array per item, a boxed variant per value); here each item is checked and written directly.
enum ItemsEncoding {
    /// One changed path with its value and GetText form. The path must be a valid object path:
    /// `VeService.add` checks each once, so it is not checked again every tick.
    struct Item {
        var path: String
        var value: DBusValue
        var text: String
    }

    /// The body `{path: {"Value": v, "Text": s}}` of `items`. Everything the wire format
    /// forbids is refused before the first byte is written.
    static func body(_ items: [Item]) throws(DBusCodingError) -> [UInt8] {
        for item in items {
            guard !MessageCoding.containsNul(item.text) else { throw DBusCodingError("string contains a NUL byte") }
            // Depth as inside the whole argument: array, entry's array, variant, value.
            try MessageCoding.validate(item.value, depth: 3)
        }
        var writer = WireWriter(capacity: 64 + 80 * items.count)
        let entries = writer.beginArray(elementAlignment: 8)
        for item in items {
            writer.align(to: 8)
            writer.appendString(item.path)
            let fields = writer.beginArray(elementAlignment: 8)
            if case .double(let number) = item.value {
                // Nearly every item: its "Value" field's key and signature are the same bytes.
                valueKeyOfDouble.withUnsafeBytes { writer.appendRaw($0) }
                writer.appendDouble(number)
            } else {
                writer.align(to: 8)
                writer.appendString("Value")
                writer.appendSignature(item.value.signature)
                MessageCoding.write(item.value, into: &writer)
                writer.align(to: 8)
            }
            textKey.withUnsafeBytes { writer.appendRaw($0) }
            writer.appendString(item.text)
            writer.endArray(fields)
        }
        writer.endArray(entries)
        return writer.takeBytes()
    }

    /// A field's key "Value" and the signature "d", as written at the start of an item's fields
    /// (aligned to 8), with the padding up to the double.
    private static let valueKeyOfDouble: [UInt8] =
        [5, 0, 0, 0] + Array("Value".utf8) + [0, 1, UInt8(ascii: "d"), 0, 0, 0, 0]

    /// A field's key "Text" and the signature "s", written after a value that ends aligned to 8.
    private static let textKey: [UInt8] = [4, 0, 0, 0] + Array("Text".utf8) + [0, 1, UInt8(ascii: "s"), 0]
}
