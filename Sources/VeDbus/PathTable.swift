import CSystem

extension VeMonitor {
    /// The monitor's interned paths; shared by every `ServiceState` for the `values` view.
    final class PathTable {
        var names: [String] = []
        /// Values changed so far in any service of this monitor: a service's `generation` is this
        /// count at its last change, so it never repeats, not even for a service that came back.
        var changes: UInt64 = 0
        /// `names` by their bytes, the one index of them. A struct, so that the signal reader
        /// can hold it in a local for a whole message instead of reaching into this class for
        /// every item.
        var lookup = PathLookup()

        /// The index of `path` if it was interned; nil otherwise (nothing is added).
        func index(of path: String) -> Int? {
            var path = path
            return path.withUTF8 { lookup.index(of: UnsafeRawBufferPointer($0)) }
        }

        func intern(_ path: String) -> Int {
            var path = path
            return path.withUTF8 { intern(bytes: UnsafeRawBufferPointer($0), lookup: &lookup) }
        }

        /// The index of the path whose UTF-8 is `bytes`, interned on first sight: a hash probe
        /// and a byte compare when it is known. `lookup` is this table's, held elsewhere for the
        /// moment (the signal reader holds it for a whole message).
        @inline(__always)
        func intern(bytes: UnsafeRawBufferPointer, lookup: inout PathLookup) -> Int {
            if let index = lookup.index(of: bytes) { return index }
            return add(String(decoding: bytes, as: UTF8.self), lookup: &lookup)
        }

        /// A path seen for the first time.
        @inline(never)
        private func add(_ path: String, lookup: inout PathLookup) -> Int {
            names.append(path)
            let index = names.count - 1
            lookup.add(path, index: index)
            return index
        }
    }

    /// Finds an interned path's index from its UTF-8, as it lies in a message: no String is
    /// made and hashed for it (every item of every ItemsChanged comes through here).
    struct PathLookup {
        /// Every name's UTF-8 end to end, and where each one lies in it.
        private var nameBytes: [UInt8] = []
        private var nameRanges: [Range<Int>] = []
        /// An open-addressing table by a hash of the name's UTF-8, each slot the name's index + 1
        /// (0: empty) in the low 32 bits and the hash's high 32 bits above, so that a probe
        /// past another path rarely compares bytes. Empty until the first name: an empty
        /// lookup costs no allocation (the signal reader swaps one in for a message).
        private var slots: [UInt64] = []

        /// The index `add` gave these bytes; nil when they were never added.
        @inline(__always)
        func index(of bytes: UnsafeRawBufferPointer) -> Int? {
            guard !slots.isEmpty else { return nil }
            let hash = Self.hash(bytes)
            let tag = hash >> 32
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            // Word offsets stay below a path's length: no overflow checks in the loops below.
            return nameBytes.withUnsafeBytes { stored in
                slots.withUnsafeBufferPointer { slots in
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return nil }
                        if entry >> 32 == tag {
                            let index = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) &- 1
                            let range = nameRanges[index]
                            if range.count == bytes.count && Self.sameBytes(stored.baseAddress! + range.lowerBound, bytes) {
                                return index
                            }
                        }
                        slot = (slot &+ 1) & mask
                    }
                }
            }
        }

        /// Adds `path` as `index`, the next index (paths are added once each, in order).
        mutating func add(_ path: String, index: Int) {
            precondition(index == nameRanges.count, "paths are added in index order")
            let start = nameBytes.count
            nameBytes.append(contentsOf: path.utf8)
            nameRanges.append(start..<nameBytes.count)
            if nameRanges.count * 2 > slots.count {
                slots = [UInt64](repeating: 0, count: max(256, slots.count * 2))
                for index in nameRanges.indices { insertHashed(index) }
            } else {
                insertHashed(index)
            }
        }

        private mutating func insertHashed(_ index: Int) {
            let hash = nameBytes.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[nameRanges[index]])) }
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = (hash >> 32) << 32 | UInt64(index + 1)
        }

        /// Whether the `bytes.count` bytes at `stored` are `bytes`, compared a word at a time
        /// (paths are 10 to 40 bytes: a call to memcmp costs more than the compare).
        @inline(__always)
        private static func sameBytes(_ stored: UnsafeRawPointer, _ bytes: UnsafeRawBufferPointer) -> Bool {
            let count = bytes.count
            guard count >= 8 else {
                for offset in 0..<count where stored.load(fromByteOffset: offset, as: UInt8.self) != bytes[offset] { return false }
                return true
            }
            var offset = 0
            while offset &+ 8 < count {
                guard stored.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
                offset &+= 8
            }
            // The last word overlaps the one before: no byte loop for the tail.
            return stored.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                == bytes.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        }

        /// A hash of the bytes, a word at a time, the last word overlapping the one before.
        @inline(__always)
        private static func hash(_ raw: UnsafeRawBufferPointer) -> UInt64 {
            let count = raw.count
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(count)
            if count >= 8 {
                var offset = 0
                while offset &+ 8 < count {
                    hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x100_0000_01b3
                    hash ^= hash >> 29
                    offset &+= 8
                }
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)) &* 0x100_0000_01b3
            } else {
                for byte in raw { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            }
            // Murmur3's finalizer: the table uses the low bits, and paths differ in their last bytes.
            hash = (hash ^ (hash >> 33)) &* 0xff51_afd7_ed55_8ccd
            hash = (hash ^ (hash >> 33)) &* 0xc4ce_b9fe_1a85_ec53
            return hash ^ (hash >> 33)
        }
    }
}
