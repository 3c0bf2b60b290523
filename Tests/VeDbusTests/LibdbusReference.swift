import CDBus
@testable import VeDbus

/// libdbus, the reference implementation, as an independent judge of our wire format: it must
/// accept the bytes we write and read the same values from them, and what it accepts we must
/// read as it does. Only the tests link it; the daemon speaks D-Bus itself.
enum LibdbusReference {
    /// Header fields and arguments as libdbus reads `bytes`; nil when libdbus rejects them.
    struct Reading: Equatable {
        var member: String?
        var path: String?
        var signature: String
        var arguments: [DBusValue]
    }

    static func read(_ bytes: [UInt8]) -> Reading? {
        guard !bytes.isEmpty else { return nil }
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }
        let raw = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { dbus_message_demarshal($0.baseAddress, Int32($0.count), &error) }
        }
        guard let raw else { return nil }
        defer { dbus_message_unref(raw) }
        var iter = DBusMessageIter()
        var arguments: [DBusValue] = []
        if dbus_message_iter_init(raw, &iter) != 0 {
            repeat {
                guard let value = value(&iter) else { return nil }
                arguments.append(value)
            } while dbus_message_iter_next(&iter) != 0
        }
        return Reading(member: dbus_message_get_member(raw).map { String(cString: $0) },
                       path: dbus_message_get_path(raw).map { String(cString: $0) },
                       signature: dbus_message_get_signature(raw).map { String(cString: $0) } ?? "",
                       arguments: arguments)
    }

    /// The value at `iter`, read with libdbus's iterators.
    private static func value(_ iter: inout DBusMessageIter) -> DBusValue? {
        let type = dbus_message_iter_get_arg_type(&iter)
        switch type {
        case cdbus_type_byte: var v: UInt8 = 0; dbus_message_iter_get_basic(&iter, &v); return .byte(v)
        case cdbus_type_boolean: var v: dbus_bool_t = 0; dbus_message_iter_get_basic(&iter, &v); return .bool(v != 0)
        case cdbus_type_int16: var v: Int16 = 0; dbus_message_iter_get_basic(&iter, &v); return .int16(v)
        case cdbus_type_uint16: var v: UInt16 = 0; dbus_message_iter_get_basic(&iter, &v); return .uint16(v)
        case cdbus_type_int32: var v: Int32 = 0; dbus_message_iter_get_basic(&iter, &v); return .int32(v)
        case cdbus_type_uint32: var v: UInt32 = 0; dbus_message_iter_get_basic(&iter, &v); return .uint32(v)
        case cdbus_type_int64: var v: Int64 = 0; dbus_message_iter_get_basic(&iter, &v); return .int64(v)
        case cdbus_type_uint64: var v: UInt64 = 0; dbus_message_iter_get_basic(&iter, &v); return .uint64(v)
        case cdbus_type_double: var v: Double = 0; dbus_message_iter_get_basic(&iter, &v); return .double(v)
        case cdbus_type_string: return .string(string(&iter))
        case cdbus_type_object_path: return .objectPath(string(&iter))
        case cdbus_type_signature: return .signature(string(&iter))
        case cdbus_type_variant:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iter, &sub)
            return value(&sub).map { .variant($0) }
        case cdbus_type_struct:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iter, &sub)
            var fields: [DBusValue] = []
            while dbus_message_iter_get_arg_type(&sub) != cdbus_type_invalid {
                guard let field = value(&sub) else { return nil }
                fields.append(field)
                dbus_message_iter_next(&sub)
            }
            return .structure(fields)
        case cdbus_type_array:
            return array(&iter)
        default:
            return nil
        }
    }

    private static func array(_ iter: inout DBusMessageIter) -> DBusValue? {
        guard let raw = dbus_message_iter_get_signature(&iter) else { return nil }
        let elementSignature = String(String(cString: raw).dropFirst())
        dbus_free(raw)
        var sub = DBusMessageIter()
        dbus_message_iter_recurse(&iter, &sub)
        if dbus_message_iter_get_element_type(&iter) == cdbus_type_dict_entry {
            let inner = elementSignature.dropFirst().dropLast()
            var entries: [DBusValue.DictEntry] = []
            while dbus_message_iter_get_arg_type(&sub) == cdbus_type_dict_entry {
                var pair = DBusMessageIter()
                dbus_message_iter_recurse(&sub, &pair)
                guard let key = value(&pair) else { return nil }
                dbus_message_iter_next(&pair)
                guard let entryValue = value(&pair) else { return nil }
                entries.append(.init(key, entryValue))
                dbus_message_iter_next(&sub)
            }
            return .dictionary(keySignature: String(inner.prefix(1)), valueSignature: String(inner.dropFirst()), entries)
        }
        var items: [DBusValue] = []
        while dbus_message_iter_get_arg_type(&sub) != cdbus_type_invalid {
            guard let item = value(&sub) else { return nil }
            items.append(item)
            dbus_message_iter_next(&sub)
        }
        return .array(elementSignature: elementSignature, items)
    }

    private static func string(_ iter: inout DBusMessageIter) -> String {
        var pointer: UnsafePointer<CChar>? = nil
        dbus_message_iter_get_basic(&iter, &pointer)
        return pointer.map { String(cString: $0) } ?? ""
    }

    /// A method call built by libdbus with `values`, in wire form (serial 7): bytes we did not write.
    static func marshalledCall(_ values: [DBusValue]) -> [UInt8]? {
        guard let raw = dbus_message_new_method_call("com.victronenergy.fuzz", "/Fuzz", "com.victronenergy.BusItem",
                                                     "SetValue") else { return nil }
        defer { dbus_message_unref(raw) }
        var iter = DBusMessageIter()
        dbus_message_iter_init_append(raw, &iter)
        for value in values where !write(value, into: &iter) { return nil }
        dbus_message_set_serial(raw, 7)
        var data: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        guard dbus_message_marshal(raw, &data, &length) != 0, let data else { return nil }
        defer { dbus_free(data) }
        return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
    }

    /// Writes a value `MessageCoding.validate` accepted, with libdbus's iterators.
    private static func write(_ value: DBusValue, into iter: inout DBusMessageIter) -> Bool {
        switch value {
        case .byte(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_byte, &v) != 0
        case .bool(let b):
            var v = dbus_bool_t(b ? 1 : 0)
            return dbus_message_iter_append_basic(&iter, cdbus_type_boolean, &v) != 0
        case .int16(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_int16, &v) != 0
        case .uint16(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_uint16, &v) != 0
        case .int32(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_int32, &v) != 0
        case .uint32(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_uint32, &v) != 0
        case .int64(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_int64, &v) != 0
        case .uint64(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_uint64, &v) != 0
        case .double(var v): return dbus_message_iter_append_basic(&iter, cdbus_type_double, &v) != 0
        case .string(let s): return appendString(s, cdbus_type_string, &iter)
        case .objectPath(let s): return appendString(s, cdbus_type_object_path, &iter)
        case .signature(let s): return appendString(s, cdbus_type_signature, &iter)
        case .array(let element, let items):
            return container(cdbus_type_array, element, &iter) { sub in items.allSatisfy { write($0, into: &sub) } }
        case .dictionary(let key, let valueSignature, let entries):
            return container(cdbus_type_array, "{" + key + valueSignature + "}", &iter) { sub in
                entries.allSatisfy { entry in
                    container(cdbus_type_dict_entry, nil, &sub) { pair in
                        write(entry.key, into: &pair) && write(entry.value, into: &pair)
                    }
                }
            }
        case .variant(let inner):
            return container(cdbus_type_variant, inner.signature, &iter) { sub in write(inner, into: &sub) }
        case .structure(let fields):
            return container(cdbus_type_struct, nil, &iter) { sub in fields.allSatisfy { write($0, into: &sub) } }
        }
    }

    private static func appendString(_ text: String, _ type: Int32, _ iter: inout DBusMessageIter) -> Bool {
        text.withCString { pointer in
            var p: UnsafePointer<CChar>? = pointer
            return dbus_message_iter_append_basic(&iter, type, &p) != 0
        }
    }

    private static func container(_ type: Int32, _ signature: String?, _ iter: inout DBusMessageIter,
                                  _ body: (inout DBusMessageIter) -> Bool) -> Bool {
        var sub = DBusMessageIter()
        let opened = signature.map { $0.withCString { dbus_message_iter_open_container(&iter, type, $0, &sub) } }
            ?? dbus_message_iter_open_container(&iter, type, nil, &sub)
        guard opened != 0 else { return false }
        guard body(&sub) else {
            dbus_message_iter_abandon_container(&iter, &sub)
            return false
        }
        return dbus_message_iter_close_container(&iter, &sub) != 0
    }
}
