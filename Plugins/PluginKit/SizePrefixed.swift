import PluginAPI

// Every ABI struct starts with the size its writer knew. A reader copies only those bytes over a
// template of "unknown" values, so a field an older writer did not have reads as unknown, and
// a newer writer's extra fields are ignored. Reading `pointee` directly could read past the end
// of an older (smaller) struct.

/// Reads a size-prefixed struct at `pointer`; bytes beyond its struct_size keep `template`'s values.
public func readSizePrefixed<Struct>(_ pointer: UnsafePointer<Struct>, over template: Struct) -> Struct {
    let declaredSize = Int(UnsafeRawPointer(pointer).load(as: UInt32.self))
    var copy = template
    let count = min(declaredSize, MemoryLayout<Struct>.size)
    withUnsafeMutableBytes(of: &copy) { destination in
        destination.baseAddress!.copyMemory(from: UnsafeRawPointer(pointer), byteCount: count)
    }
    // The copy now claims the writer's size; readers of the copy see this build's full layout.
    withUnsafeMutableBytes(of: &copy) { $0.storeBytes(of: UInt32(MemoryLayout<Struct>.size), as: UInt32.self) }
    return copy
}

/// Writes `value` into a size-prefixed struct at `pointer`, only as far as the reader's
/// struct_size there allows (an older host's output struct is smaller); keeps its struct_size.
public func writeSizePrefixed<Struct>(_ value: Struct, to pointer: UnsafeMutablePointer<Struct>) {
    let declaredSize = Int(UnsafeRawPointer(pointer).load(as: UInt32.self))
    let count = min(declaredSize, MemoryLayout<Struct>.size)
    guard count > 4 else { return }
    withUnsafeBytes(of: value) { source in
        (UnsafeMutableRawPointer(pointer) + 4).copyMemory(from: source.baseAddress! + 4, byteCount: count - 4)
    }
}

/// How the ABI writes "unknown" and hints, both ways (header: NaN, NULL, -1).
public enum CValue {
    /// NaN for nil.
    @inline(__always) public static func double(_ value: Double?) -> Double { value ?? .nan }
    /// nil for NaN.
    @inline(__always) public static func optional(_ value: Double) -> Double? { value.isNaN ? nil : value }
    /// -1 for nil; clamped into Int32.
    @inline(__always) public static func count(_ value: Int?) -> Int32 {
        value.map { Int32(clamping: $0) } ?? Int32(DAB_UNKNOWN_INT)
    }
    /// nil for a negative (unknown) count.
    @inline(__always) public static func optionalCount(_ value: Int32) -> Int? { value < 0 ? nil : Int(value) }
    /// 1 / 0, -1 for nil.
    @inline(__always) public static func flag(_ value: Bool?) -> Int32 {
        value.map { $0 ? 1 : 0 } ?? Int32(DAB_UNKNOWN_INT)
    }
    /// nil for a negative flag, true for any positive one.
    @inline(__always) public static func optionalFlag(_ value: Int32) -> Bool? { value < 0 ? nil : value > 0 }
    /// 1 yes, 0 no, -1 not given.
    @inline(__always) public static func hint(_ hint: BankHint) -> Int32 {
        switch hint {
        case .yes: return 1
        case .no: return 0
        case .notGiven: return -1
        }
    }
    /// Any negative value means "not given".
    @inline(__always) public static func bankHint(_ value: Int32) -> BankHint {
        value < 0 ? .notGiven : (value > 0 ? .yes : .no)
    }
}
