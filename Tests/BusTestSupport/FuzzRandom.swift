import Foundation

/// A seeded random source for the fuzz tests (SplitMix64): the same seed gives the same inputs
/// on every machine, so a failure found once can be replayed.
public struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound.
    public mutating func below(_ bound: Int) -> Int { Int.random(in: 0..<max(bound, 1), using: &self) }

    /// True with probability 1/`n`.
    public mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }

    /// One random change to `input`: flip a bit, overwrite, insert, delete, duplicate a slice,
    /// or write an "interesting" integer (0, -1, lengths near a boundary) at a random offset.
    public mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        if bytes.isEmpty { return self.bytes(1 + below(16)) }
        switch below(7) {
        case 0:
            let i = below(bytes.count)
            bytes[i] ^= UInt8(1) << UInt8(below(8))
        case 1:
            bytes[below(bytes.count)] = UInt8.random(in: 0...255, using: &self)
        case 2:
            bytes.insert(contentsOf: self.bytes(1 + below(8)), at: below(bytes.count + 1))
        case 3:
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(8)))
        case 4:
            let start = below(bytes.count)
            let slice = bytes[start..<min(bytes.count, start + 1 + below(32))]
            bytes.insert(contentsOf: slice, at: below(bytes.count + 1))
        case 5:
            let interesting: [UInt32] = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 64, 255, 256]
            let value = interesting[below(interesting.count)]
            let at = below(bytes.count)
            for k in 0..<4 where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
        default:
            bytes = Array(bytes.prefix(below(bytes.count + 1)))
        }
        return bytes
    }
}

/// How long a fuzz test runs and with which seed: a few thousand inputs by default (seconds in
/// the suite); FUZZ_ITERATIONS and FUZZ_SEED in the environment make the long runs of README.md.
public enum FuzzBudget {
    public static func iterations(default fallback: Int) -> Int {
        ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"].flatMap(Int.init) ?? fallback
    }

    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_DAB0_0001
    }

    /// Files of Tests/Fuzz/corpus/<kind>, sorted, as bytes.
    public static func corpus(_ kind: String, testFile: String = #filePath) -> [(name: String, bytes: [UInt8])] {
        let root = URL(fileURLWithPath: testFile).deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Fuzz/corpus/\(kind)").path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { return nil }
            return (name, [UInt8](data))
        }
    }
}
