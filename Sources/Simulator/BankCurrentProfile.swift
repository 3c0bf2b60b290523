#if canImport(Glibc)
import Glibc
#endif

/// What flows at a moment of simulated time: the current the bank should take and what the
/// MPPTs deliver; the Multi makes up the difference.
public struct BankCurrents: Sendable, Equatable {
    /// Wanted current into the whole bank, A (+ charging).
    public var batteryA: Double
    /// Total solar charger output, A (≥ 0).
    public var solarA: Double

    public init(batteryA: Double, solarA: Double) {
        self.batteryA = batteryA
        self.solarA = solarA
    }
}

/// Bank and solar current as a function of simulated seconds: deterministic, no wall clock.
public struct BankCurrentProfile: Sendable {
    public let currents: @Sendable (Double) -> BankCurrents

    public init(_ currents: @escaping @Sendable (Double) -> BankCurrents) {
        self.currents = currents
    }

    public func callAsFunction(_ seconds: Double) -> BankCurrents { currents(seconds) }

    public static func constant(batteryA: Double, solarA: Double) -> BankCurrentProfile {
        BankCurrentProfile { _ in BankCurrents(batteryA: batteryA, solarA: solarA) }
    }

    /// A small load swinging around −5 A every 5 minutes, 10 A of sun: SoC stays mid-range.
    public static let steady = BankCurrentProfile { seconds in
        BankCurrents(batteryA: -5 + 3 * sin(2 * Double.pi * seconds / 300), solarA: 10)
    }
}
