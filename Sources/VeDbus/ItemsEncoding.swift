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
            writer.align(to: 8)
            writer.appendString("Value")
            writer.appendSignature(item.value.signature)
            MessageCoding.write(item.value, into: &writer)
            writer.align(to: 8)
            writer.appendString("Text")
            writer.appendSignature("s")
            writer.appendString(item.text)
            writer.endArray(fields)
        }
        writer.endArray(entries)
        return writer.bytes
    }
}
