extension String {
    /// Whether `fragment` occurs in this string, as Python's `in` finds it (code points, no
    /// normalisation), compared on UTF-8 bytes. Not Swift's `contains(_:)` for strings: that
    /// lives in _StringProcessing, which Embedded Swift does not have.
    func includes(_ fragment: String) -> Bool {
        let needle = Array(fragment.utf8)
        guard !needle.isEmpty else { return true }
        let haystack = Array(utf8)
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            var matched = true
            for offset in 1..<needle.count where haystack[start + offset] != needle[offset] {
                matched = false
                break
            }
            if matched { return true }
        }
        return false
    }
}
