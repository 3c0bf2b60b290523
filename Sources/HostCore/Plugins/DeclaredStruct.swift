/// Reads a struct a plugin wrote, no further than the `struct_size` the plugin declared in its
/// first four bytes: a library built against an older header has a shorter struct, and the bytes
/// after it are not its to give (they may lie on an unmapped page). The fields it did not write
/// read as zero (NULL, 0), which every reader treats as "not given".
enum DeclaredStruct {
    /// A copy of the struct at `pointer`, `empty` (zeroed) beyond the declared size; and that size.
    static func read<Layout>(_ pointer: UnsafeRawPointer, empty: Layout) -> (value: Layout, declaredSize: Int) {
        let declared = Int(pointer.load(as: UInt32.self))
        var copy = empty
        withUnsafeMutableBytes(of: &copy) { target in
            let count = min(declared, target.count)
            target.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: count))
        }
        return (copy, declared)
    }
}
