extension VeMonitor {
    /// One service's values by `PathID` index. A finite double, most of what a battery sends,
    /// is kept in `numbers` alone: storing it is one array write and reading it one array read,
    /// without building or comparing `DBusValue`s. Any other value is kept as it came.
    public struct ValueColumns {
        /// The number at each index, NaN where there is none (never published, invalid, text).
        private(set) var numbers: [Double] = []
        /// True where the value is the finite double in `numbers`.
        private var isDouble: [Bool] = []
        /// Values other than finite doubles; nil where there is none or it is in `numbers`.
        private var others: [DBusValue?] = []

        /// No values yet.
        public init() {}

        /// How many indexes have room (not all need hold a value).
        public var count: Int { numbers.count }

        /// The value at `index` as it was received; nil when never published.
        public subscript(index: Int) -> DBusValue? {
            guard index < numbers.count else { return nil }
            return isDouble[index] ? .double(numbers[index]) : others[index]
        }

        /// The number at `index` (any numeric type, as `DBusValue.number` reads it), nil otherwise.
        @inline(__always)
        public func number(at index: Int) -> Double? {
            guard index < numbers.count else { return nil }
            let number = numbers[index]
            return number.isNaN ? nil : number
        }

        /// The text at `index` (as `DBusValue.string` reads it), nil for anything else: without
        /// copying the value out of the cache first.
        @inline(__always)
        public func text(at index: Int) -> String? {
            guard index < numbers.count, !isDouble[index] else { return nil }
            // Matched in place: only the text is retained, not the whole value copied out.
            switch others[index] {
            case .string(let text)?: return text
            case .variant(let inner)?: return inner.string
            default: return nil
            }
        }

        /// Appends the number at each of `indexes` to `output`, nil where there is none, as
        /// `number(at:)` reads it (a battery's cells: two dozen a tick, read in one pass).
        public func appendNumbers(at indexes: [Int], to output: inout [Double?]) {
            let start = output.count
            output.append(contentsOf: repeatElement(nil, count: indexes.count))
            output.withUnsafeMutableBufferPointer { output in
                numbers.withUnsafeBufferPointer { numbers in
                    for (offset, index) in indexes.enumerated() where index < numbers.count && !numbers[index].isNaN {
                        output[start + offset] = numbers[index]
                    }
                }
            }
        }

        /// Stores `value`; returns whether it differs from what was there.
        mutating func store(_ value: DBusValue, at index: Int) -> Bool {
            if case .double(let new) = value, new.isFinite { return store(number: new, at: index) }
            makeRoom(for: index)
            // A double in `numbers` is finite, so it never equals `value`: only `others` can.
            if !isDouble[index], let old = others[index], old == value { return false }
            isDouble[index] = false
            others[index] = value
            numbers[index] = value.number ?? .nan
            return true
        }

        /// Stores a double (the signal reader's fast path); returns whether it differs.
        @inline(__always)
        mutating func store(number new: Double, at index: Int) -> Bool {
            guard new.isFinite else { return store(.double(new), at: index) }
            if index >= numbers.count { makeRoom(for: index) }
            if isDouble[index] {
                if numbers[index] == new { return false }
            } else {
                isDouble[index] = true
                others[index] = nil
            }
            numbers[index] = new
            return true
        }

        private mutating func makeRoom(for index: Int) {
            guard index >= numbers.count else { return }
            let added = index + 1 - numbers.count
            numbers.append(contentsOf: repeatElement(.nan, count: added))
            isDouble.append(contentsOf: repeatElement(false, count: added))
            others.append(contentsOf: repeatElement(nil, count: added))
        }
    }
}
