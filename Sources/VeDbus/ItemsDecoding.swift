import CDBus
import CSystem

/// Reads the `a{sa{sv}}` of an ItemsChanged signal straight from libdbus's iterator.
///
/// Every battery sends one of these a second with dozens of paths, so this is the daemon's
/// hottest input. The generic `MessageCoding.arguments` builds a `DBusValue` tree for it (arrays
/// of entries, a boxed variant per value, a String per path and per Text) only for the monitor
/// to take it apart again; here each item's path is handed out as libdbus's C string, its
/// "Value" is read unwrapped, and its "Text" is skipped without being read.
enum ItemsDecoding {
    /// The only signature this reader takes; anything else goes through the generic decoder.
    static let signature = "a{sa{sv}}"

    /// Calls `body` with each item's path (valid only during the call) and unwrapped "Value";
    /// items without a "Value" are skipped, as the generic path skips them. The message must
    /// have the signature `a{sa{sv}}` (libdbus has validated the rest).
    static func forEachItem(in message: OpaquePointer,
                            _ body: (UnsafePointer<CChar>, DBusValue) -> Void) throws(DBusCodingError) {
        var top = DBusMessageIter()
        guard dbus_message_iter_init(message, &top) != 0, dbus_message_iter_get_arg_type(&top) == cdbus_type_array else {
            throw DBusCodingError("not an a{sa{sv}}")
        }
        var items = DBusMessageIter()
        dbus_message_iter_recurse(&top, &items)
        while dbus_message_iter_get_arg_type(&items) == cdbus_type_dict_entry {
            var item = DBusMessageIter()
            dbus_message_iter_recurse(&items, &item)
            var path: UnsafePointer<CChar>? = nil
            dbus_message_iter_get_basic(&item, &path)
            dbus_message_iter_next(&item)
            if let path, let value = try value(ofFields: &item) { body(path, value) }
            dbus_message_iter_next(&items)
        }
    }

    /// The unwrapped "Value" of one item's `a{sv}`, read without touching its other fields.
    private static func value(ofFields item: inout DBusMessageIter) throws(DBusCodingError) -> DBusValue? {
        var fields = DBusMessageIter()
        dbus_message_iter_recurse(&item, &fields)
        while dbus_message_iter_get_arg_type(&fields) == cdbus_type_dict_entry {
            var field = DBusMessageIter()
            dbus_message_iter_recurse(&fields, &field)
            var key: UnsafePointer<CChar>? = nil
            dbus_message_iter_get_basic(&field, &key)
            if let key, strcmp(key, "Value") == 0 {
                dbus_message_iter_next(&field)
                var variant = DBusMessageIter()
                dbus_message_iter_recurse(&field, &variant)
                // The value inside the variant, unwrapped as the generic path's `unwrapped` does.
                return try MessageCoding.read(&variant, depth: 2).unwrapped
            }
            dbus_message_iter_next(&fields)
        }
        return nil
    }
}
