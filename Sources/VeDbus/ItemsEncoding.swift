import CDBus

/// Writes the `a{sa{sv}}` of an ItemsChanged signal straight into libdbus's iterator.
///
/// The aggregate sends one every tick. The generic path built a `DBusValue` tree first (an
/// entry array per item, a boxed variant per value), then checked it by comparing signature
/// strings made for every entry, then wrote it; here each item is checked and written directly.
enum ItemsEncoding {
    /// One changed path with its value and GetText form. The path must be a valid object path:
    /// `VeService.add` checks each once, so it is not checked again every tick.
    struct Item {
        var path: String
        var value: DBusValue
        var text: String
    }

    /// Appends `items` as the message's single `a{sa{sv}}` argument: `{path: {"Value": v, "Text": s}}`.
    /// Everything libdbus would abort on is refused before the first byte is written.
    static func append(_ items: [Item], to message: OpaquePointer) throws(DBusCodingError) {
        for item in items {
            guard !MessageCoding.containsNul(item.text) else { throw DBusCodingError("string contains a NUL byte") }
            // Depth as inside the whole argument: array, entry's array, variant, value.
            try MessageCoding.validate(item.value, depth: 3)
        }
        var iter = DBusMessageIter()
        dbus_message_iter_init_append(message, &iter)
        let written = MessageCoding.writeContainer(type: cdbus_type_array, signature: "{sa{sv}}", into: &iter) { entries in
            items.allSatisfy { item in
                MessageCoding.writeContainer(type: cdbus_type_dict_entry, signature: nil, into: &entries) { entry in
                    MessageCoding.appendString(item.path, type: cdbus_type_string, into: &entry)
                        && MessageCoding.writeContainer(type: cdbus_type_array, signature: "{sv}", into: &entry) { fields in
                            field("Value", item.value, into: &fields) && field("Text", .string(item.text), into: &fields)
                        }
                }
            }
        }
        guard written else { throw DBusCodingError("out of memory writing ItemsChanged") }
    }

    /// One `{s v}` entry, the variant written around `value` without boxing it in a `.variant`.
    private static func field(_ key: String, _ value: DBusValue, into fields: inout DBusMessageIter) -> Bool {
        MessageCoding.writeContainer(type: cdbus_type_dict_entry, signature: nil, into: &fields) { pair in
            MessageCoding.appendString(key, type: cdbus_type_string, into: &pair)
                && MessageCoding.writeContainer(type: cdbus_type_variant, signature: value.signature, into: &pair) { inner in
                    MessageCoding.write(value, into: &inner)
                }
        }
    }
}
