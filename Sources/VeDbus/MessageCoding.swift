import CDBus
import CSystem

/// Why a value could not be written to or read from a D-Bus message.
public struct DBusCodingError: Error, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Writes and reads `DBusValue`s through libdbus message iterators.
///
/// libdbus aborts the process on invalid strings, object paths or signatures, so everything is
/// validated here first: bad input becomes an error, never an abort.
enum MessageCoding {
    /// Deepest container nesting D-Bus allows (32 arrays plus 32 structs); deeper input is refused.
    static let maximumDepth = 64

    // MARK: Writing

    /// Appends `values` as the arguments of `message`.
    static func append(_ values: [DBusValue], to message: OpaquePointer) throws(DBusCodingError) {
        for value in values { try validate(value, depth: 0) }
        var iter = DBusMessageIter()
        dbus_message_iter_init_append(message, &iter)
        for value in values {
            guard write(value, into: &iter) else { throw DBusCodingError("out of memory writing \(value.signature)") }
        }
    }

    /// Checks everything libdbus would abort on, before any byte is written.
    static func validate(_ value: DBusValue, depth: Int) throws(DBusCodingError) {
        guard depth <= maximumDepth else { throw DBusCodingError("value nested deeper than \(maximumDepth)") }
        switch value {
        case .string(let s):
            guard !containsNul(s) else { throw DBusCodingError("string contains a NUL byte") }
        case .objectPath(let p):
            guard isValidObjectPath(p) else { throw DBusCodingError("invalid object path '\(p)'") }
        case .signature(let s):
            guard isValidSignature(s, single: false) else { throw DBusCodingError("invalid signature '\(s)'") }
        case .array(let element, let items):
            guard isValidSignature(element, single: true) else {
                throw DBusCodingError("invalid array element signature '\(element)'")
            }
            for item in items {
                guard item.signature == element else {
                    throw DBusCodingError("array of '\(element)' holds a '\(item.signature)'")
                }
                try validate(item, depth: depth + 1)
            }
        case .dictionary(let keySig, let valueSig, let entries):
            guard keySig.count == 1, isBasicType(keySig), isValidSignature(valueSig, single: true) else {
                throw DBusCodingError("invalid dictionary signature a{\(keySig)\(valueSig)}")
            }
            for entry in entries {
                guard entry.key.signature == keySig, entry.value.signature == valueSig else {
                    throw DBusCodingError("dictionary a{\(keySig)\(valueSig)} holds {\(entry.key.signature)\(entry.value.signature)}")
                }
                try validate(entry.key, depth: depth + 1)
                try validate(entry.value, depth: depth + 1)
            }
        case .variant(let inner):
            try validate(inner, depth: depth + 1)
        case .structure(let fields):
            guard !fields.isEmpty else { throw DBusCodingError("empty struct") }
            for field in fields { try validate(field, depth: depth + 1) }
        default:
            break
        }
    }

    static func write(_ value: DBusValue, into iter: inout DBusMessageIter) -> Bool {
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
        case .string(let s): return appendString(s, type: cdbus_type_string, into: &iter)
        case .objectPath(let s): return appendString(s, type: cdbus_type_object_path, into: &iter)
        case .signature(let s): return appendString(s, type: cdbus_type_signature, into: &iter)
        case .array(let element, let items):
            return writeContainer(type: cdbus_type_array, signature: element, into: &iter) { sub in
                items.allSatisfy { write($0, into: &sub) }
            }
        case .dictionary(let keySig, let valueSig, let entries):
            return writeContainer(type: cdbus_type_array, signature: "{" + keySig + valueSig + "}", into: &iter) { sub in
                entries.allSatisfy { entry in
                    writeContainer(type: cdbus_type_dict_entry, signature: nil, into: &sub) { pair in
                        write(entry.key, into: &pair) && write(entry.value, into: &pair)
                    }
                }
            }
        case .variant(let inner):
            return writeContainer(type: cdbus_type_variant, signature: inner.signature, into: &iter) { sub in
                write(inner, into: &sub)
            }
        case .structure(let fields):
            return writeContainer(type: cdbus_type_struct, signature: nil, into: &iter) { sub in
                fields.allSatisfy { write($0, into: &sub) }
            }
        }
    }

    static func appendString(_ s: String, type: Int32, into iter: inout DBusMessageIter) -> Bool {
        s.withCString { pointer in
            var p: UnsafePointer<CChar>? = pointer
            return dbus_message_iter_append_basic(&iter, type, &p) != 0
        }
    }

    static func writeContainer(type: Int32, signature: String?, into iter: inout DBusMessageIter,
                                       body: (inout DBusMessageIter) -> Bool) -> Bool {
        var sub = DBusMessageIter()
        let opened: Bool
        if let signature {
            opened = signature.withCString { dbus_message_iter_open_container(&iter, type, $0, &sub) } != 0
        } else {
            opened = dbus_message_iter_open_container(&iter, type, nil, &sub) != 0
        }
        guard opened else { return false }
        guard body(&sub) else {
            dbus_message_iter_abandon_container(&iter, &sub)
            return false
        }
        return dbus_message_iter_close_container(&iter, &sub) != 0
    }

    /// Whether `text` holds a NUL byte, which libdbus would abort on (memchr on its UTF-8).
    static func containsNul(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        }
    }

    // MARK: Reading

    /// All arguments of `message`.
    static func arguments(of message: OpaquePointer) throws(DBusCodingError) -> [DBusValue] {
        var iter = DBusMessageIter()
        guard dbus_message_iter_init(message, &iter) != 0 else { return [] }
        var values: [DBusValue] = []
        repeat {
            values.append(try read(&iter, depth: 0))
        } while dbus_message_iter_next(&iter) != 0
        return values
    }

    static func read(_ iter: inout DBusMessageIter, depth: Int) throws(DBusCodingError) -> DBusValue {
        guard depth <= maximumDepth else { throw DBusCodingError("value nested deeper than \(maximumDepth)") }
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
        case cdbus_type_string: return .string(readString(&iter))
        case cdbus_type_object_path: return .objectPath(readString(&iter))
        case cdbus_type_signature: return .signature(readString(&iter))
        case cdbus_type_unix_fd: throw DBusCodingError("unix file descriptors are not supported")
        case cdbus_type_variant:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iter, &sub)
            return .variant(try read(&sub, depth: depth + 1))
        case cdbus_type_struct:
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iter, &sub)
            var fields: [DBusValue] = []
            while dbus_message_iter_get_arg_type(&sub) != cdbus_type_invalid {
                fields.append(try read(&sub, depth: depth + 1))
                dbus_message_iter_next(&sub)
            }
            return .structure(fields)
        case cdbus_type_array:
            return try readArray(&iter, depth: depth)
        default:
            throw DBusCodingError("unsupported D-Bus type code \(type)")
        }
    }

    private static func readArray(_ iter: inout DBusMessageIter, depth: Int) throws(DBusCodingError) -> DBusValue {
        let fullSignature = signatureString(of: &iter)
        let elementSignature = String(fullSignature.dropFirst())
        var sub = DBusMessageIter()
        dbus_message_iter_recurse(&iter, &sub)
        if dbus_message_iter_get_element_type(&iter) == cdbus_type_dict_entry {
            // elementSignature is "{kv}": split the single-character basic key from the value.
            let inner = elementSignature.dropFirst().dropLast()
            let keySignature = String(inner.prefix(1))
            let valueSignature = String(inner.dropFirst())
            var entries: [DBusValue.DictEntry] = []
            while dbus_message_iter_get_arg_type(&sub) == cdbus_type_dict_entry {
                var pair = DBusMessageIter()
                dbus_message_iter_recurse(&sub, &pair)
                let key = try read(&pair, depth: depth + 1)
                dbus_message_iter_next(&pair)
                let value = try read(&pair, depth: depth + 1)
                entries.append(.init(key, value))
                dbus_message_iter_next(&sub)
            }
            return .dictionary(keySignature: keySignature, valueSignature: valueSignature, entries)
        }
        var items: [DBusValue] = []
        while dbus_message_iter_get_arg_type(&sub) != cdbus_type_invalid {
            items.append(try read(&sub, depth: depth + 1))
            dbus_message_iter_next(&sub)
        }
        return .array(elementSignature: elementSignature, items)
    }

    private static func readString(_ iter: inout DBusMessageIter) -> String {
        var pointer: UnsafePointer<CChar>? = nil
        dbus_message_iter_get_basic(&iter, &pointer)
        guard let pointer else { return "" }
        // libdbus has validated UTF-8 already; String(cString:) would repair, never trap.
        return String(cString: pointer)
    }

    private static func signatureString(of iter: inout DBusMessageIter) -> String {
        guard let raw = dbus_message_iter_get_signature(&iter) else { return "" }
        defer { dbus_free(raw) }
        return String(cString: raw)
    }

    // MARK: Validation helpers

    static func isBasicType(_ signature: String) -> Bool {
        guard let c = signature.utf8.first, signature.utf8.count == 1 else { return false }
        return dbus_type_is_basic(Int32(c)) != 0
    }

    /// A valid signature; with `single`, exactly one complete type.
    static func isValidSignature(_ signature: String, single: Bool) -> Bool {
        guard !containsNul(signature) else { return false }
        return signature.withCString { pointer in
            single ? dbus_signature_validate_single(pointer, nil) != 0 : dbus_signature_validate(pointer, nil) != 0
        }
    }

    /// Object path rules: "/" or "/"-separated non-empty elements of [A-Za-z0-9_].
    static func isValidObjectPath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return false }
        if bytes.count == 1 { return true }
        guard bytes.last != UInt8(ascii: "/") else { return false }
        var previousWasSlash = false
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                if previousWasSlash { return false }
                previousWasSlash = true
                continue
            }
            previousWasSlash = false
            let isAlnum = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            guard isAlnum || byte == UInt8(ascii: "_") else { return false }
        }
        return true
    }
}
