/// The jitter of a BMS's readings: -1, 0 or +1 `step` at random, from a seeded generator
/// (xorshift64*), so a run is the same every time.
public struct MeasurementNoise: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    public mutating func next(step: Double) -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        let value = state &* 0x2545_F491_4F6C_DD1D
        return Double(Int(value >> 32) % 3 - 1) * step
    }
}
